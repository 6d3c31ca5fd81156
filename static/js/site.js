/*
 * Confnotes – progressive enhancements.
 *
 * Loaded with `defer`. No dependencies, no inline script, no eval. The site
 * works fully without this file; it only adds conveniences.
 *
 * Contents
 *   1. Live region for announcements
 *   2. Copy buttons for code blocks ([data-code-block])
 *   3. Header search on phones
 *   4. Start-up
 */
(function () {
    "use strict";

    var LABEL = "Copy code";
    var LABEL_COPIED = "Copied";
    var LABEL_FAILED = "Copy failed";
    var MESSAGE_COPIED = "Copied to clipboard";
    var MESSAGE_FAILED = "Copy failed";
    var RESET_DELAY_MS = 2000;

    /* ----------------------------------------------------------------------
       1. Live region for announcements
       One visually hidden role="status" element, created once and reused.
       ---------------------------------------------------------------------- */

    var liveRegion = null;
    var announceTimer = 0;

    function getLiveRegion() {
        if (!liveRegion) {
            liveRegion = document.createElement("div");
            liveRegion.className = "visually-hidden";
            liveRegion.setAttribute("role", "status");
            liveRegion.setAttribute("aria-live", "polite");
            liveRegion.setAttribute("aria-atomic", "true");
            document.body.appendChild(liveRegion);
        }
        return liveRegion;
    }

    function announce(message) {
        var region = getLiveRegion();
        window.clearTimeout(announceTimer);
        // Empty first, then fill after a short pause, so that the same
        // message twice in a row is still announced the second time.
        region.textContent = "";
        announceTimer = window.setTimeout(function () {
            region.textContent = message;
        }, 100);
    }

    /* ----------------------------------------------------------------------
       2. Copy buttons for code blocks
       ---------------------------------------------------------------------- */

    // The code's text without inline line numbers (Pygments .linenos).
    function getCodeText(code) {
        var clone = code.cloneNode(true);
        var numbers = clone.querySelectorAll(".linenos");
        for (var i = 0; i < numbers.length; i++) {
            numbers[i].parentNode.removeChild(numbers[i]);
        }
        return clone.textContent;
    }

    function directChild(parent, selector) {
        var children = parent.children;
        for (var i = 0; i < children.length; i++) {
            if (children[i].matches(selector)) {
                return children[i];
            }
        }
        return null;
    }

    function enhanceCodeBlock(block) {
        if (block.classList.contains("code-block--copyable")) {
            return; // already enhanced
        }
        var code = block.querySelector("code");
        if (!code) {
            return;
        }

        var button = document.createElement("button");
        button.type = "button";
        button.className = "copy-button";
        button.textContent = LABEL;

        // Say which code is copied when the block names its file. The name
        // starts with the visible label, so voice control still matches it.
        var filenameElement = block.querySelector(".code-block__filename");
        var filename = filenameElement ? filenameElement.textContent.trim() : "";
        if (filename) {
            button.setAttribute("aria-label", LABEL + ": " + filename);
        }

        var resetTimer = 0;

        function showResult(succeeded) {
            button.textContent = succeeded ? LABEL_COPIED : LABEL_FAILED;
            announce(succeeded ? MESSAGE_COPIED : MESSAGE_FAILED);
            window.clearTimeout(resetTimer);
            resetTimer = window.setTimeout(function () {
                button.textContent = LABEL;
            }, RESET_DELAY_MS);
        }

        button.addEventListener("click", function () {
            var text = getCodeText(code);
            try {
                navigator.clipboard.writeText(text).then(
                    function () {
                        showResult(true);
                    },
                    function () {
                        showResult(false);
                    }
                );
            } catch (error) {
                showResult(false);
            }
        });

        // Place the button after the caption (it is positioned in the
        // caption row by CSS), or first when there is no caption, so it
        // comes before the code in reading and tab order.
        var caption = directChild(block, ".code-block__caption");
        block.insertBefore(button, caption ? caption.nextSibling : block.firstChild);
        block.classList.add("code-block--copyable");
    }

    /* ----------------------------------------------------------------------
       3. Header search on phones
       Without this, the header's "Search" link leads to the search page. With
       it, the link opens the header's search form in place (one tap) and
       focuses its box; a second tap closes it. On wide screens the form is
       always shown and the link hidden (site.css).
       ---------------------------------------------------------------------- */

    function enhanceHeaderSearch() {
        var header = document.querySelector(".site-header");
        var link = header && header.querySelector(".site-header__search-link");
        var form = header && header.querySelector(".site-search");
        var input = form && form.querySelector("input[type=search]");
        if (!link || !input) {
            return;
        }
        link.setAttribute("role", "button");
        link.setAttribute("aria-expanded", "false");
        link.setAttribute("aria-controls", form.id);
        link.addEventListener("click", function (event) {
            event.preventDefault();
            var open = header.classList.toggle("site-header--searching");
            link.setAttribute("aria-expanded", open ? "true" : "false");
            if (open) {
                input.focus();
            }
        });
    }

    /* ----------------------------------------------------------------------
       4. Start-up
       ---------------------------------------------------------------------- */

    function init() {
        enhanceHeaderSearch();
        // No Clipboard API (old browser, insecure context): no buttons at all.
        if (!navigator.clipboard || typeof navigator.clipboard.writeText !== "function") {
            return;
        }
        var blocks = document.querySelectorAll("[data-code-block]");
        if (!blocks.length) {
            return;
        }
        // Create the live region up front: regions added at the moment of
        // an announcement are often not read.
        getLiveRegion();
        for (var i = 0; i < blocks.length; i++) {
            enhanceCodeBlock(blocks[i]);
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
})();
