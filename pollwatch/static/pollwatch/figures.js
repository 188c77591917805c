// Draws the Plotly figures of a page (pollwatch/figures.py): each <div class="plotly-figure"> carries its figure
// as JSON, so no inline script is needed (the Content-Security-Policy allows none). Runs on load and on every
// piece of page HTMX swaps in (the station map, the coverage tables).
(function () {
  function draw(root) {
    if (!window.Plotly || !root || !root.querySelectorAll) return;
    var divs = root.querySelectorAll("div.plotly-figure[data-figure]:not([data-drawn])");
    Array.prototype.forEach.call(divs, function (div) {
      div.setAttribute("data-drawn", "1");
      var figure = JSON.parse(div.getAttribute("data-figure"));
      var config = JSON.parse(div.getAttribute("data-config") || "{}");
      Plotly.newPlot(div, figure.data || [], figure.layout || {}, config).then(function () {
        if (div.hasAttribute("data-links") && window.pollwatchLinks) window.pollwatchLinks(div);
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:load", function (event) { draw(event.target.parentNode || event.target); });
})();
