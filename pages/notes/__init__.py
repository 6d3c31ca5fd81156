"""Conference notes as Markdown: import (``manage.py import_notes``, admin "Import notes") and
export (``manage.py export_notes``).

One UTF-8 file is one conference (CommonMark + GFM tables and task lists)::

    ---
    title: "Example Conf 2026"      # or a "# Example Conf 2026" line
    date: 2026-05-12                # start date (required); end_date, location, url, tags,
    aliases: [/old/path/]           # summary, slug and aliases (each a redirect) are optional
    ---
    Conference introduction.
    ## Day 1                        # a DayPage; "Day N" gives its number, the date follows
    Day introduction.
    ### A talk                      # a TalkPage of that day
    Speakers: A. Person, B. Person  # optional first line, links Speaker snippets
    #### Heading                    # heading blocks: #### h2, ##### h3, ###### h4
    Paragraphs and lists → paragraph blocks; - [ ] / - [x] runs → checklist blocks;
    ```python → code blocks; > quote + "— Name" last line → quote blocks;
    ![alt](images/x.png "caption") or ![](images/x.png "decorative") → image blocks;
    GFM tables → table blocks.

Extensions, written by the exporter so that a round trip keeps every value:

* ``{title="…"}`` on the line before a task list: the checklist's title;
  ``{caption="…" columns="text number rich_text"}`` before a table: caption and column types
  (otherwise a right-aligned all-numbers column is a number column and a column with
  formatting is a rich text column);
* code info strings take ``title="file.py" hl_lines="2, 4-6" linenums="1"``;
* a ```` ```video ```` block holds a video: the URL on the first line, its title on the second;
* ``[text](wagtail://page?id=42)`` links to a page of the site (as in Wagtail's API).

Raw HTML is kept as escaped text, template shortcodes and HTML comments are dropped; each
gives a warning, as do unknown front matter keys, unknown code languages and heading levels that
had to be closed up.

Modules: ``parser`` (Markdown → document, no database: front matter here, the body in
``body``, the document's classes in ``document``), ``importer`` (document → pages, one
transaction per file; ``writer`` saves, ``results`` reports), ``exporter`` (pages →
Markdown), ``richtext`` (rendering, sanitising and escaping), ``admin_views`` (the upload,
preview and confirm view).
"""
