// RAK grid: recompute each line's total and the month totals while typing, and mark lines
// whose months do not add up to their budget. The server checks again on save.
(function () {
  "use strict";
  var grid = document.querySelector("table.rak-grid");
  if (!grid) { return; }
  function parse(text) {
    var t = String(text || "").replace(/\s|Rp/g, "");
    if (t === "") { return 0; }
    if (t.indexOf(",") >= 0 || /^-?\d{1,3}(\.\d{3})+$/.test(t)) {
      t = t.replace(/\./g, "").replace(",", ".");
    }
    var n = Number(t);
    return isFinite(n) ? n : NaN;
  }
  function format(n) {
    return isNaN(n) ? "?" : Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }
  function update() {
    var monthTotals = [];
    grid.querySelectorAll("tbody tr[data-line]").forEach(function (row) {
      var inputs = row.querySelectorAll("input.rak-cell");
      if (!inputs.length) { return; }
      var sum = 0;
      inputs.forEach(function (input, i) {
        var v = parse(input.value);
        sum += v;
        monthTotals[i] = (monthTotals[i] || 0) + (isNaN(v) ? 0 : v);
      });
      var cells = row.querySelectorAll("td.num");
      var budget = parse(cells[0].textContent);
      var totalCell = cells[cells.length - 1];
      totalCell.textContent = format(sum);
      row.classList.toggle("rak-off", isNaN(sum) || Math.abs(sum - budget) > 0.001);
    });
    var foot = grid.querySelectorAll("tfoot th.num");
    if (monthTotals.length && foot.length >= 14) {
      var all = 0;
      monthTotals.forEach(function (v, i) { foot[i + 1].textContent = format(v); all += v; });
      foot[13].textContent = format(all);
    }
  }
  grid.addEventListener("input", update);
}());
