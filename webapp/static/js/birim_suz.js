/* Birim seçicide yazarken süzme: sunucu tarafı arama ("Listele") her zaman çalışır; bu yalnız kolaylıktır.
   Satır içi betik yok (CSP); <input data-suz="HEDEF-ID"> HEDEF-ID içindeki tablo satırlarını süzer. */
(function () {
  "use strict";
  function kucuk(s) { return (s || "").toLocaleLowerCase("tr-TR"); }
  document.querySelectorAll("input[data-suz]").forEach(function (girdi) {
    var hedef = document.getElementById(girdi.getAttribute("data-suz"));
    if (!hedef) { return; }
    girdi.addEventListener("input", function () {
      var aranan = kucuk(girdi.value.trim());
      hedef.querySelectorAll("tbody tr").forEach(function (satir) {
        satir.hidden = aranan !== "" && kucuk(satir.textContent).indexOf(aranan) === -1;
      });
    });
    girdi.addEventListener("keydown", function (olay) {
      // Enter in the search box lists from the server instead of submitting the task form.
      if (olay.key === "Enter") {
        olay.preventDefault();
        var dugme = girdi.closest("fieldset").querySelector("button[value=listele]");
        if (dugme) { dugme.click(); }
      }
    });
  });
}());
