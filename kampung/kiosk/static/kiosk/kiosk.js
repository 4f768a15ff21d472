/* Kampung kiosk (anjungan): on-screen keypads and the idle reset. No library, no network.
 *
 * - An input (or textarea) with data-pad="angka" (NIK, PIN), data-pad="kode" (tracking or
 *   verification code: the letters of data-keys; data-group="4" puts the dash in by itself)
 *   or data-pad="huruf" (short text) gets an on-screen pad when it is touched;
 *   inputmode="none" keeps the system keyboard away.
 * - A form with data-once is submitted once (a double tap sends nothing more).
 * - After data-idle seconds (on <body>) without a touch, key or scroll, the reset form is
 *   submitted: the server forgets the resident and the page returns home.
 */
(function () {
  "use strict";

  var LAYOUTS = {
    angka: [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], ["hapus", "0", "ok"]],
    huruf: [
      ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"],
      ["Q", "W", "E", "R", "T", "Y", "U", "I", "O", "P"],
      ["A", "S", "D", "F", "G", "H", "J", "K", "L", "-"],
      ["Z", "X", "C", "V", "B", "N", "M", ",", ".", "/"],
      ["hapus", "spasi", "ok"]
    ]
  };
  var LABELS = { hapus: "⌫ Hapus", ok: "✓ OK", spasi: "Spasi" };
  var pad = null;
  var target = null;

  function layoutFor(input) {
    var kind = input.getAttribute("data-pad");
    if (kind === "kode") {
      var keys = (input.getAttribute("data-keys") || "").split("");
      var rows = [];
      for (var i = 0; i < keys.length; i += 5) rows.push(keys.slice(i, i + 5));
      rows.push(["hapus", "ok"]);
      return rows;
    }
    return LAYOUTS[kind] || LAYOUTS.angka;
  }

  function press(key) {
    if (!target) return;
    var max = parseInt(target.getAttribute("maxlength") || "0", 10);
    if (key === "hapus") {
      target.value = target.value.slice(0, -1).replace(/-$/, "");
    } else if (key === "ok") {
      close();
      return;
    } else {
      var ch = key === "spasi" ? " " : key;
      if (target.getAttribute("data-pad") === "huruf" && target.getAttribute("data-case") !== "upper") {
        var v = target.value;
        ch = v === "" || /[\s.]$/.test(v) ? ch : ch.toLowerCase();
      }
      // Codes are printed in groups (ACEF-3479): the dash comes by itself.
      var group = parseInt(target.getAttribute("data-group") || "0", 10);
      if (group > 0) {
        var plain = target.value.replace(/-/g, "");
        if (plain.length > 0 && plain.length % group === 0) ch = "-" + ch;
      }
      if (!max || target.value.length + ch.length <= max) target.value += ch;
    }
    target.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function close() {
    if (pad) pad.hidden = true;
    if (target) target.classList.remove("pad-target");
    document.body.classList.remove("pad-open");
    target = null;
  }

  function open(input) {
    if (target) target.classList.remove("pad-target");
    target = input;
    input.classList.add("pad-target");
    if (!pad) {
      pad = document.createElement("div");
      pad.className = "pad";
      pad.setAttribute("role", "group");
      document.body.appendChild(pad);
      pad.addEventListener("click", function (e) {
        var b = e.target.closest("button[data-key]");
        if (b) press(b.getAttribute("data-key"));
      });
    }
    var label = input.labels && input.labels[0] ? input.labels[0].textContent.trim() : "";
    pad.setAttribute("aria-label", "Papan tombol " + label);
    pad.className = "pad pad-" + (input.getAttribute("data-pad") || "angka");
    pad.innerHTML = "";
    layoutFor(input).forEach(function (row) {
      var r = document.createElement("div");
      r.className = "pad-row";
      row.forEach(function (key) {
        var b = document.createElement("button");
        b.type = "button";
        b.setAttribute("data-key", key);
        b.className = "pad-key pad-" + key;
        b.textContent = LABELS[key] || key;
        if (key === "hapus") b.setAttribute("aria-label", "Hapus satu huruf");
        r.appendChild(b);
      });
      pad.appendChild(r);
    });
    pad.hidden = false;
    document.body.classList.add("pad-open");
  }

  document.addEventListener("focusin", function (e) {
    var el = e.target;
    if (el && el.matches && el.matches("[data-pad]")) open(el);
  });
  document.addEventListener("pointerdown", function (e) {
    if (!target) return;
    if (e.target.closest(".pad") || e.target === target) return;
    if (e.target.matches && e.target.matches("[data-pad]")) return;
    close();
  });

  // Idle reset.
  var seconds = parseInt(document.body.getAttribute("data-idle") || "0", 10);
  var form = document.getElementById("kiosk-reset");
  if (seconds > 0 && form) {
    var timer = null;
    var arm = function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(function () {
        form.submit();
      }, seconds * 1000);
    };
    ["pointerdown", "touchstart", "keydown", "input", "scroll"].forEach(function (name) {
      document.addEventListener(name, arm, { passive: true, capture: true });
    });
    arm();
  }

  // A form marked data-once is sent once: a double tap does not send it twice.
  document.addEventListener("submit", function (e) {
    var f = e.target;
    if (!f.hasAttribute || !f.hasAttribute("data-once")) return;
    if (f.getAttribute("data-sent")) {
      e.preventDefault();
      return;
    }
    f.setAttribute("data-sent", "1");
    f.querySelectorAll("button[type=submit]").forEach(function (b) { b.setAttribute("aria-disabled", "true"); });
  });

  // A print button prints the slip (the kiosk's receipt printer is the default printer).
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-print]");
    if (b) {
      e.preventDefault();
      window.print();
    }
  });
  if (document.body.hasAttribute("data-autoprint")) {
    window.addEventListener("load", function () {
      setTimeout(function () { window.print(); }, 300);
    });
  }
})();
