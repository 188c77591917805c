// Every bar and point of a dashboard chart carries the URL of the list behind it in Plotly's customdata
// (pollwatch/operations/dashboard.py): a click follows it. Called by each figure's post_script.
window.pollwatchLinks = function (div) {
  if (!div || !div.on || div.dataset.pollwatchLinks) return;
  div.dataset.pollwatchLinks = "1";
  div.on("plotly_click", function (event) {
    var point = event && event.points && event.points[0];
    var url = point && point.customdata;
    if (typeof url === "string" && url.charAt(0) === "/") window.location.assign(url);
  });
};
