/* Raporlar: draws the charts with Chart.js (served from /static/vendor/chartjs).
 * The data comes from the page's <script type="application/json" id="rapor-grafikleri"> block (not executed,
 * so the CSP's script-src 'self' allows it); each <canvas data-grafik="..."> names its entry. The same
 * figures are in the table under each chart. */
(function () {
  "use strict";
  var kaynak = document.getElementById("rapor-grafikleri");
  if (!kaynak || typeof window.Chart === "undefined") { return; }
  var veri = JSON.parse(kaynak.textContent || "{}");
  var RENKLER = ["#0b4f8a", "#c93a2f", "#1e7b34", "#e0a100", "#6a3d9a", "#1b9e9e", "#7d0a15", "#8c8c8c"];
  var sayi = new Intl.NumberFormat("tr-TR", { maximumFractionDigits: 1 });

  function ortak(ekseniYatay) {
    return {
      responsive: true, maintainAspectRatio: false, animation: false,
      indexAxis: ekseniYatay ? "y" : "x",
      plugins: { legend: { position: "bottom" },
                 tooltip: { callbacks: { label: function (c) {
                   var d = ekseniYatay ? c.parsed.x : c.parsed.y;
                   if (d === undefined || d === null) { d = c.parsed; }
                   return (c.dataset.label ? c.dataset.label + ": " : "") + sayi.format(d);
                 } } } },
      scales: { x: { beginAtZero: true }, y: { beginAtZero: true } }
    };
  }

  var cizimler = {
    durum: function (d) {
      return { type: "doughnut",
               data: { labels: d.etiketler, datasets: [{ data: d.degerler, backgroundColor: RENKLER }] },
               options: { responsive: true, maintainAspectRatio: false, animation: false,
                          plugins: { legend: { position: "bottom" } } } };
    },
    tur: function (d) {
      return { type: "bar", options: Object.assign(ortak(false), { plugins: { legend: { display: false } } }),
               data: { labels: d.etiketler, datasets: [{ label: "Talep", data: d.degerler, backgroundColor: RENKLER[0] }] } };
    },
    il: function (d) {
      return { type: "bar", options: Object.assign(ortak(false), { plugins: { legend: { display: false } } }),
               data: { labels: d.etiketler, datasets: [{ label: "Talep", data: d.degerler, backgroundColor: RENKLER[5] }] } };
    },
    birim_turu: function (d) {
      var o = ortak(false);
      o.scales = { x: { stacked: true }, y: { stacked: true, beginAtZero: true } };
      return { type: "bar", options: o,
               data: { labels: d.etiketler, datasets: [
                 { label: "Açık", data: d.acik, backgroundColor: RENKLER[3] },
                 { label: "Tamamlanan", data: d.tamamlanan, backgroundColor: RENKLER[2] }] } };
    },
    en_yavas_birim: function (d) { return sureler(d); },
    darbogaz: function (d) { return sureler(d); }
  };

  function sureler(d) {
    return { type: "bar", options: ortak(true),
             data: { labels: d.etiketler, datasets: [
               { label: "Medyan (gün)", data: d.medyan, backgroundColor: RENKLER[0] },
               { label: "%90 (gün)", data: d.p90, backgroundColor: RENKLER[1] }] } };
  }

  var tuvaller = document.querySelectorAll("canvas[data-grafik]");
  for (var i = 0; i < tuvaller.length; i++) {
    var ad = tuvaller[i].getAttribute("data-grafik");
    if (veri[ad] && cizimler[ad]) {
      new window.Chart(tuvaller[i], cizimler[ad](veri[ad]));
    }
  }
}());
