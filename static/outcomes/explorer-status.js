/* Tell screen-reader users when the explorer's results change in place (WCAG 2.2, 4.1.3
   Status messages). htmx swaps the whole results panel, and a live region inside it would be
   replaced rather than updated, so the announcement goes to #explorer-status, which sits
   outside the panel and stays. It names what is now shown, or why there is nothing. */
(function () {
  "use strict";

  function text(root, selector) {
    var element = root.querySelector(selector);
    return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function summary(panel) {
    var nothing = text(panel, ".explorer-no-data p");
    if (nothing) { return "No data to show. " + nothing; }
    if (panel.querySelector(".nhsuk-error-summary")) { return ""; } // already role="alert"
    var shown = text(panel, ".explorer-about__title");
    var table = text(panel, ".explorer-results table caption");
    return shown ? "Results updated: " + shown + (table ? ". Table: " + table : "") : "";
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var status = document.getElementById("explorer-status");
    if (!status || event.target.id !== "explorer-panel") { return; }
    var message = summary(event.target);
    // Emptied first, so the same message twice is still announced twice.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 100);
  });
})();
