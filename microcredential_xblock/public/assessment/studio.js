/* Studio editor: posts settings and the outcomes/questions OLX; shows server errors next to their field. */
function MicrovetAssessmentStudio(runtime, element) {
  'use strict';
  var common = window.MicrovetCommon;
  var gettext = common.gettext;
  var root = common.rootOf(element);
  var form = root.querySelector('.mv-studio-form');
  var status = root.querySelector('.mv-status');

  function notify(name, data) {
    if (typeof runtime.notify === 'function') { runtime.notify(name, data); }
  }

  function clearErrors() {
    Array.prototype.forEach.call(root.querySelectorAll('[data-error-for]'), function (node) {
      node.textContent = '';
    });
    Array.prototype.forEach.call(form.elements, function (input) { input.removeAttribute('aria-invalid'); });
  }

  function showError(body) {
    var slot = root.querySelector('[data-error-for="' + (body.field || 'olx') + '"]');
    (slot || status).textContent = body.error;
    var input = form.elements[body.field || 'olx'];
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    }
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    clearErrors();
    status.textContent = gettext('Saving...');
    notify('save', {state: 'start'});
    common.postJSON(runtime.handlerUrl(root, 'studio_submit'), {
      display_name: form.elements.display_name.value,
      max_attempts: form.elements.max_attempts.value,
      weight: form.elements.weight.value,
      show_feedback: form.elements.show_feedback.checked ? 'true' : 'false',
      microcredential: form.elements.microcredential.value,
      olx: form.elements.olx.value
    }).then(function (reply) {
      if (reply.ok) {
        status.textContent = gettext('Saved.');
        notify('save', {state: 'end'});
      } else {
        status.textContent = '';
        showError(reply.body);
        notify('error', {title: gettext('Could not save'), message: reply.body.error});
      }
    });
  });

  root.querySelector('.mv-cancel').addEventListener('click', function () { notify('cancel', {}); });
}
