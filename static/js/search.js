/*
 * Search suggestions: an ARIA 1.2 combobox (list autocomplete) on top of a plain search form.
 * Without JavaScript the form works as it is; this only adds suggestions while typing.
 */
(function () {
    "use strict";

    // Wide screens show the search filters beside the results, open.
    var facets = document.querySelector("details.facets");
    if (facets && window.matchMedia && window.matchMedia("(min-width: 48em)").matches) {
        facets.open = true;
    }
    if (!window.fetch) {
        return;
    }
    // The search page's form and the header's search box, each with its own list.
    document.querySelectorAll("form[data-autocomplete]").forEach(setup);

    function setup(form) {
        var input = form.querySelector("input[type=search]");
        var wrapper = input.parentNode;
        var endpoint = form.getAttribute("data-autocomplete");

        var listbox = document.createElement("ul");
        listbox.id = input.id + "-suggestions";
        listbox.className = "combobox__listbox";
        listbox.setAttribute("role", "listbox");
        listbox.setAttribute("aria-label", "Suggestions");
        listbox.hidden = true;
        wrapper.appendChild(listbox);

        var status = document.createElement("div");
        status.className = "visually-hidden";
        status.setAttribute("role", "status");
        wrapper.appendChild(status);

        input.setAttribute("role", "combobox");
        input.setAttribute("aria-autocomplete", "list");
        input.setAttribute("aria-expanded", "false");
        input.setAttribute("aria-controls", listbox.id);

        var items = [];
        var active = -1;
        var timer = null;
        var lastQuery = "";
        var controller = null;

        function close() {
            listbox.hidden = true;
            input.setAttribute("aria-expanded", "false");
            input.removeAttribute("aria-activedescendant");
            active = -1;
        }

        function setActive(index) {
            var options = listbox.querySelectorAll("[role=option]");
            options.forEach(function (option, i) {
                option.setAttribute("aria-selected", i === index ? "true" : "false");
            });
            active = index;
            if (index >= 0 && options[index]) {
                input.setAttribute("aria-activedescendant", options[index].id);
                options[index].scrollIntoView({ block: "nearest" });
            } else {
                input.removeAttribute("aria-activedescendant");
            }
        }

        function render(suggestions) {
            items = suggestions;
            listbox.textContent = "";
            suggestions.forEach(function (item, i) {
                var option = document.createElement("li");
                option.id = listbox.id + "-" + i;
                option.setAttribute("role", "option");
                option.setAttribute("aria-selected", "false");
                option.className = "combobox__option";
                var label = document.createElement("span");
                label.textContent = item.label;
                var type = document.createElement("span");
                type.className = "combobox__type";
                type.textContent = " " + item.type;
                option.appendChild(label);
                option.appendChild(type);
                option.addEventListener("mousedown", function (event) {
                    event.preventDefault(); // keep focus in the input
                    choose(i);
                });
                listbox.appendChild(option);
            });
            var open = suggestions.length > 0;
            listbox.hidden = !open;
            input.setAttribute("aria-expanded", open ? "true" : "false");
            active = -1;
            status.textContent = open
                ? suggestions.length + " suggestion" + (suggestions.length === 1 ? "" : "s") + ": use the arrow keys to choose"
                : "";
        }

        function choose(index) {
            var item = items[index];
            if (item) {
                window.location.href = item.url;
            }
        }

        function fetchSuggestions() {
            var query = input.value.trim();
            if (query === lastQuery) {
                return;
            }
            lastQuery = query;
            if (query.length < 2) {
                render([]);
                return;
            }
            if (controller) {
                controller.abort();
            }
            controller = window.AbortController ? new AbortController() : null;
            fetch(endpoint + "?q=" + encodeURIComponent(query), {
                headers: { Accept: "application/json" },
                signal: controller ? controller.signal : undefined,
            })
                .then(function (response) {
                    return response.ok ? response.json() : { suggestions: [] };
                })
                .then(function (data) {
                    if (input.value.trim() === query) {
                        render(data.suggestions || []);
                    }
                })
                .catch(function () {
                    /* suggestions are optional; the form still works */
                });
        }

        input.addEventListener("input", function () {
            window.clearTimeout(timer);
            timer = window.setTimeout(fetchSuggestions, 150);
        });

        input.addEventListener("keydown", function (event) {
            var count = items.length;
            if (event.key === "ArrowDown") {
                if (listbox.hidden && count) {
                    listbox.hidden = false;
                    input.setAttribute("aria-expanded", "true");
                }
                if (count) {
                    setActive((active + 1) % count);
                    event.preventDefault();
                }
            } else if (event.key === "ArrowUp") {
                if (count) {
                    setActive(active <= 0 ? count - 1 : active - 1);
                    event.preventDefault();
                }
            } else if (event.key === "Enter") {
                if (!listbox.hidden && active >= 0) {
                    event.preventDefault();
                    choose(active);
                }
            } else if (event.key === "Escape") {
                if (!listbox.hidden) {
                    event.preventDefault();
                    close();
                } else {
                    input.value = "";
                }
            }
        });

        input.addEventListener("blur", function () {
            window.setTimeout(close, 100);
        });
    }
})();
