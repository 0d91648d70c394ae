/* Shared by both blocks' learner and Studio views: translation with a fallback, JSON POSTs with CSRF,
   and the initialiser that decodes the HTML-safe init data (blocks/common.py initialize_js). */
(function (global) {
  'use strict';
  var catalog = global.MicrovetI18N || {};
  function gettext(text) {
    return typeof catalog.gettext === 'function' ? catalog.gettext(text) : text;
  }
  /* "%(name)s" placeholders, as in the Python side's messages. */
  function interpolate(text, params) {
    return text.replace(/%\((\w+)\)s/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : match;
    });
  }
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : '';
  }
  /* Resolves to {ok, status, body}; network failures resolve with a translated error body. */
  function postJSON(url, payload) {
    return fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrfToken()},
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok && !body.error) {
          body = {error: gettext('The server could not process the request. Please try again.')};
        }
        return {ok: response.ok, status: response.status, body: body};
      });
    }, function () {
      return {ok: false, status: 0, body: {error: gettext('No connection to the server. Please try again.')}};
    });
  }
  function rootOf(element) {
    return element && element.jquery ? element[0] : element;
  }
  global.MicrovetCommon = {gettext: gettext, interpolate: interpolate, postJSON: postJSON, rootOf: rootOf};
  /* The runtime calls this with {init: <the block's function>, json: <its data as a JSON string>}.
     Three declared parameters: runtimes pass the init args only to functions that declare them. */
  global.MicrovetInit = function (runtime, element, args) {
    var init = global[args.init];
    return new init(runtime, element, JSON.parse(args.json));
  };
}(window));
