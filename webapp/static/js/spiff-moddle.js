/* The spiffworkflow: extension elements as a moddle package, so that bpmn-js reads, edits and writes them
   (spiffworkflow:properties, serviceTaskOperator, calledDecisionId, pre/postScript...). Used by the
   editor (surec-duzenleyici.js). Property names equal the element names, so reading and writing agree. */
(function () {
  'use strict';
  function govde(ad) {
    return { name: ad, superClass: ['Element'], properties: [{ name: 'value', type: 'String', isBody: true }] };
  }
  window.MBS_SPIFF_MODDLE = {
    name: 'SpiffWorkflow',
    uri: 'http://spiffworkflow.org/bpmn/schema/1.0/core',
    prefix: 'spiffworkflow',
    xml: { tagAlias: 'lowerCase' },
    associations: [],
    types: [
      { name: 'Properties', superClass: ['Element'],
        properties: [{ name: 'property', type: 'Property', isMany: true }] },
      { name: 'Property', superClass: ['Element'],
        properties: [{ name: 'name', type: 'String', isAttr: true }, { name: 'value', type: 'String', isAttr: true }] },
      { name: 'ServiceTaskOperator', superClass: ['Element'],
        properties: [{ name: 'id', type: 'String', isAttr: true }, { name: 'resultVariable', type: 'String', isAttr: true },
                     { name: 'parameters', type: 'Parameters' }] },
      { name: 'Parameters', superClass: ['Element'],
        properties: [{ name: 'parameter', type: 'Parameter', isMany: true }] },
      { name: 'Parameter', superClass: ['Element'],
        properties: [{ name: 'id', type: 'String', isAttr: true }, { name: 'type', type: 'String', isAttr: true },
                     { name: 'value', type: 'String', isAttr: true }] },
      govde('CalledDecisionId'), govde('PreScript'), govde('PostScript'), govde('InstructionsForEndUser')
    ]
  };
}());
