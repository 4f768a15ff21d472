// SPP form: sum the requested amounts as they are typed ("1.500.000"), and flag a line whose
// request passes what remains (the server checks again; this is only a preview).
(function () {
  "use strict";
  function parse(text) {
    var t = String(text || "").replace(/\s|Rp/g, "");
    if (!t) return 0;
    if (t.indexOf(",") >= 0 || /^\d{1,3}(\.\d{3})+$/.test(t)) t = t.replace(/\./g, "").replace(",", ".");
    var n = Number(t);
    return isFinite(n) ? n : NaN;
  }
  function format(n) {
    return "Rp " + Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ".");
  }
  document.addEventListener("DOMContentLoaded", function () {
    var inputs = document.querySelectorAll("input.spp-amount");
    var out = document.querySelector("[data-spp-total]");
    if (!inputs.length || !out) return;
    function update() {
      var total = 0;
      inputs.forEach(function (input) {
        var v = parse(input.value);
        var row = input.closest("tr");
        var remaining = Number(input.getAttribute("data-remaining"));
        if (!isNaN(v)) total += v;
        if (row) row.classList.toggle("spp-over", !isNaN(v) && v > remaining);
      });
      out.textContent = format(total);
    }
    inputs.forEach(function (input) { input.addEventListener("input", update); });
    update();
  });
})();
