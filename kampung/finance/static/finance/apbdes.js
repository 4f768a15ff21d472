/* Live totals on the RAB line form: line amount = volume x unit price (rounded to whole rupiah),
   and the kegiatan and APBDes totals on the page move as the user types. The server figures are
   in data-value attributes; after saving, the page shows the server totals again. No inline JS. */
(function () {
  "use strict";

  // Parsed exactly as the server's DecimalField parses the form (a dot is the decimal mark;
  // number inputs always submit that form), so the preview equals the saved amount.
  function parseNumber(text) {
    if (text === null || text === undefined) return NaN;
    var s = String(text).trim();
    if (!/^-?\d+(\.\d+)?$/.test(s)) return NaN;
    return Number(s);
  }

  function rupiah(value) {
    var rounded = Math.round(Math.abs(value));
    var digits = String(rounded).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return (value < 0 && rounded !== 0 ? "-" : "") + "Rp " + digits;
  }

  function init(form) {
    var volume = form.querySelector('[data-apbdes="volume"]');
    var price = form.querySelector('[data-apbdes="price"]');
    var out = form.querySelector('[data-apbdes-out="line-amount"]');
    if (!volume || !price || !out) return;
    var editing = parseNumber(form.getAttribute("data-editing-amount")) || 0;
    var totals = Array.prototype.slice.call(document.querySelectorAll("[data-apbdes-total]"));
    totals.forEach(function (el) {
      el.setAttribute("data-server-text", el.textContent);
    });

    function update() {
      var v = parseNumber(volume.value);
      var p = parseNumber(price.value);
      var valid = isFinite(v) && isFinite(p) && v > 0 && p > 0;
      var amount = valid ? Math.round(v * p) : 0;
      out.textContent = valid ? rupiah(amount) : "—";
      var delta = valid ? amount - editing : 0;
      totals.forEach(function (el) {
        var base = parseNumber(el.getAttribute("data-value"));
        if (!isFinite(base)) return;
        var kind = el.getAttribute("data-apbdes-total");
        // More spending lowers the surplus and the remainder; it raises the kegiatan and spending totals.
        var sign = kind === "surplus" || kind === "remaining" ? -1 : 1;
        el.textContent = delta === 0 ? el.getAttribute("data-server-text") : rupiah(base + sign * delta);
        el.classList.toggle("apbdes-changed", delta !== 0);
      });
    }

    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("apbdes:recalc", update);
    update();
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-apbdes-form]"), init);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  window.KampungApbdes = { parseNumber: parseNumber, rupiah: rupiah };
})();
