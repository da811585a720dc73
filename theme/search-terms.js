// Exact-term lookup for the site search: when the query is exactly a term
// that a reference table defines (an error code, an environment variable, a
// capability, a CLI flag, a route), its definition is listed first; when it
// is exactly the name of a section (a heading, or a list item's bold lead-in),
// that section follows.
// The terms come from search-terms.json, written by `mdbook-alga render-llms`.
(function () {
    'use strict';
    const results = document.getElementById('mdbook-searchresults');
    const bar = document.getElementById('mdbook-searchbar');
    if (!results || !bar || typeof path_to_root === 'undefined') {
        return;
    }
    let terms = null;
    const escape = (s) => s.replace(/[&<>"']/g, (c) => ({
        '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\'': '&#39;',
    })[c]);
    // A query matches a term written the same way, or the path of a route
    // (`/api/x` matches `POST /api/x`).
    // Definitions with an anchor of their own (a table row, a heading) first,
    // then sections, the one that says most first.
    const matches = (q) => terms
        .filter((t) => t.k === q || (!t.s && t.k.endsWith(' ' + q)))
        .sort((x, y) => (y.a ? 1 : 0) - (x.a ? 1 : 0) || (y.k === q ? 1 : 0) - (x.k === q ? 1 : 0) ||
            (x.s ? 1 : 0) - (y.s ? 1 : 0) || (y.w || 0) - (x.w || 0))
        .slice(0, 3);
    function apply() {
        if (!terms) {
            return;
        }
        results.querySelectorAll('li.search-term-definition').forEach((e) => e.remove());
        const q = bar.value.trim().toLowerCase();
        if (q !== '') {
            const hits = matches(q);
            for (const h of hits.reverse()) {
                const li = document.createElement('li');
                li.className = 'search-term-definition';
                li.innerHTML = '<a href="' + path_to_root + escape(h.u) + '">' + (h.s
                    ? '<strong>' + escape(h.t) + '</strong> in ' + escape(h.p)
                    : '<code>' + escape(h.t) + '</code> defined in ' + escape(h.p)) + '</a>';
                results.prepend(li);
            }
        }
    }
    // Re-apply when mdBook lists new results, not when we add our own item
    // (observer callbacks run later, so a flag around apply() cannot tell).
    const ours = (n) => n.nodeType === 1 && n.classList.contains('search-term-definition');
    new MutationObserver((records) => {
        const theirs = records.some((r) =>
            [...r.addedNodes, ...r.removedNodes].some((n) => !ours(n)));
        if (theirs) {
            apply();
        }
    }).observe(results, { childList: true });
    fetch(path_to_root + 'search-terms.json')
        .then((r) => (r.ok ? r.json() : []))
        .then((j) => { terms = j; apply(); })
        .catch(() => {});
})();
