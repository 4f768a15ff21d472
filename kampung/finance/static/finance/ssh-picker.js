/* The SSH picker of the RAB line form: searches the regency's standard unit prices
   (finance:ssh_search, JSON) and fills unit, price, description and account from the item. */
(function () {
  "use strict";

  function rupiah(value) {
    var digits = String(Math.round(Number(value) || 0)).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return "Rp " + digits;
  }

  function init(picker) {
    var form = document.querySelector("[data-apbdes-form]");
    var query = picker.querySelector("[data-ssh-query]");
    var list = picker.querySelector("[data-ssh-results]");
    var status = picker.querySelector("[data-ssh-status]");
    if (!form || !query || !list) return;
    picker.hidden = false;
    var timer = null;
    var seq = 0;

    function field(name) {
      return form.querySelector('[data-apbdes="' + name + '"]');
    }

    function choose(item) {
      var unit = field("unit"), price = field("price"), desc = field("description");
      var account = field("account"), sshId = field("ssh-id");
      if (unit) unit.value = item.unit || "";
      if (price) price.value = item.price;
      if (desc) desc.value = item.name + (item.specification ? " (" + item.specification + ")" : "");
      if (sshId) sshId.value = item.id;
      if (account && item.account_code) {
        var option = account.querySelector('option[value="' + item.account_code + '"]');
        if (option) account.value = item.account_code;
      }
      list.textContent = "";
      status.textContent = "Dipilih: " + item.code + " " + item.name + " — " + rupiah(item.price) + " per " + item.unit;
      form.dispatchEvent(new Event("apbdes:recalc"));
      var volume = field("volume");
      if (volume) volume.focus();
    }

    function render(results) {
      list.textContent = "";
      if (!results.length) {
        status.textContent = "Tidak ada item SSH yang cocok.";
        return;
      }
      status.textContent = results.length + " item ditemukan.";
      results.forEach(function (item) {
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "ssh-item";
        button.setAttribute("data-ssh-code", item.code);
        button.textContent = item.code + " " + item.name + (item.specification ? " (" + item.specification + ")" : "") +
          " — " + rupiah(item.price) + " / " + item.unit;
        button.addEventListener("click", function () { choose(item); });
        li.appendChild(button);
        list.appendChild(li);
      });
    }

    function search() {
      var q = query.value.trim();
      if (q.length < 2) {
        list.textContent = "";
        status.textContent = "";
        return;
      }
      var mine = ++seq;
      var url = picker.getAttribute("data-url") + "?" + new URLSearchParams({
        tahun: picker.getAttribute("data-year"), q: q, desa: picker.getAttribute("data-village")
      }).toString();
      status.textContent = "Mencari…";
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) {
          if (!r.ok) throw new Error(String(r.status));
          return r.json();
        })
        .then(function (data) {
          if (mine === seq) render(data.results || []);
        })
        .catch(function () {
          if (mine === seq) status.textContent = "SSH tidak dapat dicari saat ini; isi satuan dan harga sendiri.";
        });
    }

    query.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 250);
    });
    query.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {
        e.preventDefault();
        clearTimeout(timer);
        search();
      }
    });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-ssh-picker]"), init);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
