// The keyboard of the media coding screen (media/item_code.html): moved out of the page so the
// Content-Security-Policy allows no inline script.
(function () {
  const form = document.getElementById("coding-form");
  const rows = Array.from(document.querySelectorAll("#coding tr[data-row]"));
  let current = 0;
  function show() { rows.forEach((r, i) => r.classList.toggle("current", i === current)); if (rows[current]) rows[current].scrollIntoView({block: "nearest"}); }
  function mark(row) {
    if (row.dataset.kind !== "actor") return;
    const checked = row.querySelector("input:checked");
    row.querySelector(".status").textContent = checked && checked.value !== row.dataset.proposed ? "overridden" : "confirmed";
  }
  function choose(index) {
    const row = rows[current];
    if (!row) return;
    const inputs = row.querySelectorAll("input[type=radio]");
    if (!inputs[index]) return;
    inputs[index].checked = true;
    mark(row);
    if (current < rows.length - 1) current += 1;
    show();
  }
  rows.forEach((row, i) => row.addEventListener("click", () => { current = i; show(); }));
  rows.forEach((row) => row.addEventListener("change", () => mark(row)));
  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target.matches("input[type=text], input[type=search], textarea, select")) return;
    const kind = rows[current] && rows[current].dataset.kind;
    const key = event.key;
    if (kind === "actor" && ["1", "2", "3"].includes(key)) choose(Number(key) - 1);
    else if (kind === "flag" && (key === "y" || key === "x")) choose(key === "y" ? 0 : 1);
    else if (key === "j" || key === "ArrowDown") { current = Math.min(current + 1, rows.length - 1); show(); }
    else if (key === "k" || key === "ArrowUp") { current = Math.max(current - 1, 0); show(); }
    else if (key === "s" && document.getElementById("save")) form.requestSubmit(document.getElementById("save"));
    else if (key === "n" && document.getElementById("save-next")) form.requestSubmit(document.getElementById("save-next"));
    else return;
    event.preventDefault();
  });
  show();
})();
