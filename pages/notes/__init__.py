"""Conference notes as Markdown: import (``manage.py import_notes``, admin "Import notes") and
export (``manage.py export_notes``).

One UTF-8 file is one conference (CommonMark + GFM tables and task lists)::

    ---
    title: "Example Conf 2026"      # or a "# Example Conf 2026" line
    date: 2026-05-12                # start date (required); end_date, location, url, tags,
    aliases: [/old/path/]           # summary, slug and aliases (each a redirect) are optional
    speakers:                       # optional: details of speakers, by name (all optional)
      A. Person:
        bio: "Two or three sentences."
        website: https://example.org/a/
        mastodon: https://example.social/@a
        github: a-person
        photo: images/a.png         # relative to the file, like body images
        photo_alt: "A. Person in front of a whiteboard"
        slug: a-person              # when it is not the one made from the name
    ---
    Conference introduction.
    ## Day 1                        # a DayPage; "Day N" gives its number, the date follows
    {slug="monday"}                 # optional, right under the heading: the day's slug
    Day introduction.
    ### A talk                      # a TalkPage of that day
    {time="09:30" room="Main Hall" tags="orm, testing" slides="https://…" video="https://…"}
    Speakers: A. Person, B. Person  # optional first line, links Speaker snippets

    Summary: One paragraph of plain text, the talk's summary (optional, after Speakers).

    #### Heading                    # heading blocks: #### h2, ##### h3, ###### h4
    Paragraphs and lists → paragraph blocks; - [ ] / - [x] runs → checklist blocks;
    ```python → code blocks; > quote + "— Name" last line → quote blocks;
    ![alt](images/x.png "caption") or ![](images/x.png "decorative") → image blocks;
    GFM tables → table blocks.

The talk's attribute line (right under its ``###`` heading, every key optional) sets
``time`` (24-hour HH:MM), ``room``, ``tags`` (comma-separated), ``slides`` and ``video`` (URLs)
and ``slug`` (when it is not the one made from the title). Fields are only set when given, so
files without these details stay valid and keep what editors set. A first body paragraph that
starts with "Speakers:" or "Summary:" is written ``Speakers\\:`` / ``Summary\\:``.

``days: false`` in the front matter makes a recap by topic: the file has no days and its ``##``,
``###`` and ``####`` headings are h2, h3 and h4 headings of the conference's own body.

Extensions, written by the exporter so that a round trip keeps every value:

* ``{title="…"}`` on the line before a task list: the checklist's title;
  ``{caption="…" columns="text number rich_text"}`` before a table: caption and column types
  (otherwise a right-aligned all-numbers column is a number column and a column with
  formatting is a rich text column);
* code info strings take ``title="file.py" hl_lines="2, 4-6" linenums="1"``;
* a ```` ```video ```` block holds a video: the URL on the first line, its title on the second;
* ``[text](wagtail://page?id=42)`` links to a page of the site (as in Wagtail's API).

``export_notes -o file.zip`` writes one archive with the Markdown file and its images (speaker
photos too), which imports as it is. ``pages/demo/notes/`` holds the demo in this format.

Raw HTML is kept as escaped text, template shortcodes and HTML comments are dropped; each
gives a warning, as do unknown front matter keys, unknown code languages and heading levels that
had to be closed up.

Modules: ``parser`` (Markdown → document, no database: front matter here, the body in
``body``, the document's classes in ``document``), ``importer`` (document → pages, one
transaction per file; ``writer`` saves, ``results`` reports), ``exporter`` (pages →
Markdown), ``richtext`` (rendering, sanitising and escaping), ``admin_views`` (the upload,
preview and confirm view).
"""
