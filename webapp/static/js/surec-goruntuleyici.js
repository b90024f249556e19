/* The process diagram on a talep's page: bpmn-js viewer on the talep's version, completed tasks and active
   tasks (with the units on them) marked. Data: the JSON block #surec-diyagrami-verisi. */
(function () {
  'use strict';
  var blok = document.getElementById('surec-diyagrami-verisi');
  var kap = document.getElementById('surec-diyagrami');
  if (!blok || !kap || !window.BpmnJS) { return; }
  var veri = JSON.parse(blok.textContent);
  var viewer = new window.BpmnJS({ container: kap });

  function etiket(oge) {
    var div = document.createElement('div');
    div.className = 'surec-etiket surec-etiket-' + oge.durum;
    div.textContent = oge.birimler.join(', ');
    return div;
  }

  fetch(veri.xml, { credentials: 'same-origin' })
    .then(function (r) { return r.text(); })
    .then(function (xml) { return viewer.importXML(xml); })
    .then(function () {
      var canvas = viewer.get('canvas');
      var kayit = viewer.get('elementRegistry');
      var overlays = viewer.get('overlays');
      veri.ogeler.forEach(function (oge) {
        if (!kayit.get(oge.id)) { return; }
        canvas.addMarker(oge.id, oge.durum === 'aktif' ? 'surec-aktif' : 'surec-tamamlandi');
        if (oge.birimler.length) {
          overlays.add(oge.id, { position: { bottom: -4, left: 0 }, html: etiket(oge) });
        }
      });
      canvas.zoom('fit-viewport');
      kap.setAttribute('data-durum', 'hazir');
    })
    .catch(function () {
      kap.textContent = 'Süreç diyagramı yüklenemedi.';
      kap.setAttribute('data-durum', 'hata');
    });
}());
