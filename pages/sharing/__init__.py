"""Share cards: the 1200×630 PNG that link previews show for a talk or a conference
(``og:image``), drawn with Pillow in the site's colours and kept in the default storage.

The page's ``share_card()`` says what the card shows; ``card_url()`` turns that into
``/share/<page id>/<digest>.png`` without touching the storage or the database (the digest is a
hash of the card's text and ``CARD_DESIGN``), so rendering a page costs nothing extra. The
view (``views.share_card``) draws the card on its first request, stores it as
``share-cards/<page id>/<digest>.png`` and deletes that page's older cards; a changed title,
conference or speaker list gives a new digest, hence a new URL and a new file.
"""
