/*
 * Confnotes – link text checks for Wagtail's content checker (userbar and Checks panel).
 *
 * pages/accessibility/checker.py (ConfnotesContentChecker) adds axe-core rules whose checks need a
 * function: Wagtail sends rules and checks to the browser as JSON, and keeps a map of check id
 * to function that it applies when it configures axe (on window load). Wagtail 8's
 * <wagtail-userbar> element adds to that map with registerCheck(id, evaluate); this file, loaded
 * by the checker item's Media right after userbar.js, registers the two link text checks.
 *
 * The data comes from the server's rules (pages/accessibility.py) through the checks' options:
 *   confnotes-link-text-generic  {texts: [...], strip: ".!:…"}  passes unless the text is generic
 *   confnotes-link-text-url      {pattern: "..."}               passes unless the text is a URL
 *
 * No dependencies, no inline script, no eval (the public site's CSP forbids it).
 */
(function () {
    "use strict";

    /* The link's text with runs of white space made one space, as the server does. */
    function linkText(node) {
        return (node.textContent || "").split(/\s+/).filter(Boolean).join(" ");
    }

    function escapeForRegExp(chars) {
        return chars.replace(/[\\^$.*+?()[\]{}|\-]/g, "\\$&");
    }

    var CHECKS = {
        "confnotes-link-text-generic": function (node, options) {
            var opts = options || {};
            var text = linkText(node).toLowerCase();
            if (opts.strip) {
                var chars = "[" + escapeForRegExp(opts.strip) + "]+";
                text = text.replace(new RegExp("^" + chars + "|" + chars + "$", "g"), "");
            }
            return (opts.texts || []).indexOf(text) === -1;
        },
        "confnotes-link-text-url": function (node, options) {
            var pattern = (options || {}).pattern;
            return !pattern || !new RegExp(pattern, "i").test(linkText(node));
        },
    };

    function register(userbar) {
        Object.keys(CHECKS).forEach(function (id) {
            userbar.registerCheck(id, CHECKS[id]);
        });
    }

    var userbar = document.querySelector("wagtail-userbar");
    if (userbar && typeof userbar.registerCheck === "function") {
        register(userbar);
    } else if (window.customElements) {
        window.customElements.whenDefined("wagtail-userbar").then(function () {
            var element = document.querySelector("wagtail-userbar");
            if (element && typeof element.registerCheck === "function") {
                register(element);
            }
        });
    }

    /* For tests and for running axe by hand: the same functions. */
    window.confnotesContentChecks = CHECKS;
})();
