/* The process editor (Süreçler → Düzenleyici): bpmn-js modeler on the current version's BPMN, a side form
   for the spiffworkflow properties of the selected task (rol, formKey, birim, hareket... or the service
   operation), server-side validation and deployment as a new version. All data comes from the JSON block
   #duzenleyici-verisi; no inline script or handler (CSP). */
(function () {
  'use strict';

  var veri = JSON.parse(document.getElementById('duzenleyici-verisi').textContent);
  var OZELLIKLER = ['rol', 'formKey', 'birim', 'hareket', 'hareketNotu', 'muhtarGorur'];
  var modeler = new window.BpmnJS({
    container: '#modeler',
    keyboard: { bindTo: document },
    moddleExtensions: { spiffworkflow: window.MBS_SPIFF_MODDLE }
  });
  var moddle = modeler.get('moddle');
  var modeling = modeler.get('modeling');
  var secili = null;
  var degisti = false;

  function $(id) { return document.getElementById(id); }

  function durum(metin, tur, sorunlar) {
    var kutu = $('duzenleyici-sonuc');
    kutu.textContent = '';
    kutu.className = 'bildirim ' + (tur || 'bilgi');
    var p = document.createElement('p');
    p.textContent = metin;
    kutu.appendChild(p);
    if (sorunlar && sorunlar.length) {
      var ul = document.createElement('ul');
      ul.className = 'sorunlar';
      sorunlar.forEach(function (s) {
        var li = document.createElement('li');
        li.textContent = s;
        ul.appendChild(li);
      });
      kutu.appendChild(ul);
    }
    kutu.hidden = false;
  }

  /* loopDataInputRef names a task-data variable (SpiffWorkflow), not a BPMN element: keep it as a stub
     reference with that id so that it is written back unchanged. */
  function referanslariKoru(uyarilar) {
    (uyarilar || []).forEach(function (u) {
      if (/^unresolved reference/.test(u.message) && u.element && u.property) {
        u.element.set(u.property, moddle.create('bpmn:Property', { id: u.value }));
      }
    });
  }

  function uzanti(bo, tur) {
    var ext = bo.extensionElements;
    if (!ext) { return null; }
    return (ext.get('values') || []).filter(function (v) { return v.$type === tur; })[0] || null;
  }

  function kulvarRolu(element) {
    var bo = element.businessObject;
    var lanes = bo.get('lanes') || [];
    if (!lanes.length) {
      /* tasks in a subprocess: the lane of the subprocess */
      var ust = element.parent;
      while (ust && ust.businessObject && !(ust.businessObject.get && (ust.businessObject.get('lanes') || []).length)) {
        ust = ust.parent;
      }
      lanes = ust && ust.businessObject ? ust.businessObject.get('lanes') || [] : [];
    }
    var ad = lanes.length ? lanes[0].name : '';
    return { ad: ad, rol: veri.roller[ad] || '' };
  }

  function formuGoster(element) {
    secili = element;
    var bo = element && element.businessObject;
    var tur = bo && bo.$type;
    $('kullanici-gorevi').hidden = tur !== 'bpmn:UserTask';
    $('servis-gorevi').hidden = tur !== 'bpmn:ServiceTask';
    $('ozellik-formu').hidden = !(tur === 'bpmn:UserTask' || tur === 'bpmn:ServiceTask');
    $('secili-oge').textContent = bo ? (bo.name || bo.id) + ' (' + tur.replace('bpmn:', '') + ', ' + bo.id + ')'
                                     : 'Bir kullanıcı ya da servis görevi seçin.';
    if (tur === 'bpmn:UserTask') {
      var props = uzanti(bo, 'spiffworkflow:Properties');
      var degerler = {};
      (props ? props.get('property') : []).forEach(function (p) { degerler[p.name] = p.value; });
      OZELLIKLER.forEach(function (ad) { $('oz-' + ad).value = degerler[ad] || ''; });
      var kulvar = kulvarRolu(element);
      $('kulvar-bilgisi').textContent = kulvar.ad ? 'Kulvar: ' + kulvar.ad + ' (rol ' + (kulvar.rol || 'bilinmiyor') + ')'
                                                  : 'Görev bir kulvarda değil.';
    } else if (tur === 'bpmn:ServiceTask') {
      var op = uzanti(bo, 'spiffworkflow:ServiceTaskOperator');
      $('oz-servis').value = op ? op.id : '';
      $('oz-sonuc').value = op ? (op.resultVariable || '') : '';
    }
  }

  function extensionElements(element) {
    var bo = element.businessObject;
    if (!bo.extensionElements) {
      modeling.updateProperties(element, { extensionElements: moddle.create('bpmn:ExtensionElements', { values: [] }) });
    }
    return bo.extensionElements;
  }

  function uygula() {
    if (!secili) { return; }
    var bo = secili.businessObject;
    var ext = extensionElements(secili);
    if (bo.$type === 'bpmn:UserTask') {
      var props = uzanti(bo, 'spiffworkflow:Properties');
      if (!props) {
        props = moddle.create('spiffworkflow:Properties', { property: [] });
        modeling.updateModdleProperties(secili, ext, { values: ext.get('values').concat([props]) });
      }
      var liste = props.get('property').slice();
      OZELLIKLER.forEach(function (ad) {
        var deger = $('oz-' + ad).value.trim();
        var mevcut = liste.filter(function (p) { return p.name === ad; })[0];
        if (mevcut && !deger) {
          liste.splice(liste.indexOf(mevcut), 1);
        } else if (mevcut) {
          modeling.updateModdleProperties(secili, mevcut, { value: deger });
        } else if (deger) {
          liste.push(moddle.create('spiffworkflow:Property', { name: ad, value: deger }));
        }
      });
      modeling.updateModdleProperties(secili, props, { property: liste });
    } else if (bo.$type === 'bpmn:ServiceTask') {
      var op = uzanti(bo, 'spiffworkflow:ServiceTaskOperator');
      var yeni = { id: $('oz-servis').value, resultVariable: $('oz-sonuc').value.trim() || undefined };
      if (op) {
        modeling.updateModdleProperties(secili, op, yeni);
      } else {
        op = moddle.create('spiffworkflow:ServiceTaskOperator', yeni);
        modeling.updateModdleProperties(secili, ext, { values: ext.get('values').concat([op]) });
      }
    }
    durum('Özellikler uygulandı (henüz yüklenmedi).', 'bilgi');
  }

  function gonder(adres) {
    return modeler.saveXML({ format: true }).then(function (sonuc) {
      return fetch(adres, {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRFToken': veri.csrf },
        body: JSON.stringify({ xml: sonuc.xml })
      });
    }).then(function (yanit) {
      return yanit.json().then(function (govde) { return { kod: yanit.status, govde: govde }; });
    });
  }

  function dogrula() {
    durum('Doğrulanıyor...', 'bilgi');
    gonder(veri.dogrula).then(function (r) {
      if (r.govde.gecerli) {
        durum('Doğrulandı: sorun yok. Yeni sürüm olarak yükleyebilirsiniz.', 'basari');
      } else {
        durum('Doğrulama sorunları (yüklenemez):', 'hata', r.govde.sorunlar);
      }
    }).catch(function () { durum('Sunucuya ulaşılamadı.', 'hata'); });
  }

  function yukle() {
    if (!window.confirm('Diyagram yeni sürüm olarak yüklenecek ve güncel yapılacak: yeni talepler bu sürümle başlar. Devam edilsin mi?')) {
      return;
    }
    durum('Yükleniyor...', 'bilgi');
    gonder(veri.yukle).then(function (r) {
      if (r.govde.gecerli) {
        degisti = false;
        durum(r.govde.mesaj, 'basari');
        var a = document.createElement('a');
        a.href = r.govde.adres;
        a.textContent = 'Sürüm ' + r.govde.surum + ' sayfası';
        $('duzenleyici-sonuc').appendChild(a);
      } else {
        durum('Yüklenmedi; hiçbir şey değişmedi. Sorunlar:', 'hata', r.govde.sorunlar);
      }
    }).catch(function () { durum('Sunucuya ulaşılamadı.', 'hata'); });
  }

  function secenekler(select, degerler) {
    var bos = document.createElement('option');
    bos.value = '';
    bos.textContent = '—';
    select.appendChild(bos);
    degerler.forEach(function (d) {
      var o = document.createElement('option');
      o.value = d;
      o.textContent = d;
      select.appendChild(o);
    });
  }

  secenekler($('oz-servis'), veri.servisler);
  var formlar = $('formlar-listesi');
  veri.formlar.forEach(function (f) {
    var o = document.createElement('option');
    o.value = f;
    formlar.appendChild(o);
  });
  $('ozellik-uygula').addEventListener('click', uygula);
  $('dogrula').addEventListener('click', dogrula);
  $('yukle').addEventListener('click', yukle);
  window.addEventListener('beforeunload', function (e) {
    if (degisti) { e.preventDefault(); e.returnValue = ''; }
  });

  fetch(veri.xml, { credentials: 'same-origin' })
    .then(function (r) { return r.text(); })
    .then(function (xml) { return modeler.importXML(xml); })
    .then(function (sonuc) {
      referanslariKoru(sonuc.warnings);
      modeler.get('canvas').zoom('fit-viewport');
      modeler.on('selection.changed', function (e) { formuGoster(e.newSelection.length === 1 ? e.newSelection[0] : null); });
      modeler.on('commandStack.changed', function () { degisti = true; });
      document.body.setAttribute('data-duzenleyici', 'hazir');
    })
    .catch(function (err) { durum('Diyagram açılamadı: ' + err.message, 'hata'); });
}());
