// Live preview of a letter template: posts the draft to the preview endpoint a moment after
// typing stops and shows the rendered page in the sandboxed frame. Without JavaScript the
// "Pratinjau" button does the same by a normal form post.
(function () {
  "use strict";
  var form = document.getElementById("letters-template-form");
  if (!form) { return; }
  var frame = document.getElementById("letters-preview-frame");
  var errorBox = document.getElementById("letters-preview-error");
  var body = form.querySelector("textarea[name=body]");
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var sent = 0;

  function show(error) {
    errorBox.textContent = error || "";
    errorBox.hidden = !error;
  }

  function refresh() {
    var ticket = ++sent;
    var data = new FormData();
    data.append("body", body.value);
    data.append("csrfmiddlewaretoken", form.querySelector("input[name=csrfmiddlewaretoken]").value);
    fetch(url, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (result) {
        if (ticket !== sent) { return; }
        if (result.ok) { frame.srcdoc = result.html; show(""); } else { show(result.error); }
      })
      .catch(function () { show("Pratinjau tidak dapat dimuat. Periksa sambungan lalu coba lagi."); });
  }

  body.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 600);
  });
}());
