// Execution hub: replace the reports panel's plain links with the realisation at a glance
// (figures and submission status), fetched from the server. Without JS the links stay.
(function () {
  "use strict";
  var holder = document.querySelector("[data-reports-panel]");
  if (!holder || !window.fetch) { return; }
  var url = holder.getAttribute("data-url");
  if (!url) { return; }
  fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
    .then(function (response) { return response.ok ? response.text() : null; })
    .then(function (html) {
      if (!html) { return; }
      var doc = new DOMParser().parseFromString(html, "text/html");
      var panel = doc.querySelector("[data-testid='reports-panel']");
      if (panel) { holder.replaceChildren(document.importNode(panel, true)); }
    })
    .catch(function () { /* keep the links */ });
}());
