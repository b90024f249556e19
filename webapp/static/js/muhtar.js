/* Muhtar pages: the açıklama character counter and one submission per form.
   Plain ES5 for old office browsers; the pages work without it (the server checks everything). */
(function () {
  "use strict";

  function sayaciKur(alan) {
    var hedef = document.getElementById(alan.getAttribute("data-sayac"));
    var enCok = parseInt(alan.getAttribute("maxlength"), 10);
    if (!hedef || !enCok) { return; }
    function guncelle() {
      // Count a line break as one character, as the server does.
      var uzunluk = alan.value.replace(/\r\n/g, "\n").length;
      hedef.textContent = uzunluk + " / " + enCok + " karakter (kalan " + Math.max(enCok - uzunluk, 0) + ")";
    }
    alan.addEventListener("input", guncelle);
    guncelle();
  }

  function tekGonderim(form) {
    // Back from the next page (bfcache): the form may be sent again.
    window.addEventListener("pageshow", function () { form.removeAttribute("data-gonderiliyor"); });
    form.addEventListener("submit", function (olay) {
      if (form.getAttribute("data-gonderiliyor")) { olay.preventDefault(); return; }
      form.setAttribute("data-gonderiliyor", "1");
      var dugmeler = form.querySelectorAll("button[type=submit]");
      for (var i = 0; i < dugmeler.length; i++) { dugmeler[i].setAttribute("aria-disabled", "true"); }
    });
  }

  var alanlar = document.querySelectorAll("textarea[data-sayac]");
  for (var i = 0; i < alanlar.length; i++) { sayaciKur(alanlar[i]); }
  var formlar = document.querySelectorAll("form[data-tek-gonderim]");
  for (var j = 0; j < formlar.length; j++) { tekGonderim(formlar[j]); }
})();
