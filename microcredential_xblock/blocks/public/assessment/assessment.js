/* Learner view of the outcome assessment: sends answers, shows what the server decided. No scoring here. */
function MicrovetAssessment(runtime, element, state) {
  'use strict';
  var common = window.MicrovetCommon;
  var gettext = common.gettext;
  var interpolate = common.interpolate;
  var root = common.rootOf(element);
  var form = root.querySelector('.mv-form');
  var resultRegion = root.querySelector('.mv-result');
  var attemptsRegion = root.querySelector('.mv-attempts');
  var submitButton = root.querySelector('.mv-submit');
  var fieldsets = Array.prototype.slice.call(root.querySelectorAll('.mv-question'));

  function percent(value) {
    return Math.round(value * 10) / 10 + '%';
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function collectAnswers() {
    var answers = {};
    fieldsets.forEach(function (fieldset) {
      var id = fieldset.getAttribute('data-question');
      var type = fieldset.getAttribute('data-type');
      if (type === 'single') {
        var checked = fieldset.querySelector('input:checked');
        if (checked) { answers[id] = checked.value; }
      } else if (type === 'multiple') {
        var picked = Array.prototype.map.call(fieldset.querySelectorAll('input:checked'), function (input) {
          return input.value;
        });
        if (picked.length) { answers[id] = picked; }
      } else {
        var value = fieldset.querySelector('input').value.trim();
        if (value) { answers[id] = value; }
      }
    });
    return answers;
  }

  function restoreAnswers(answers) {
    fieldsets.forEach(function (fieldset) {
      var value = answers[fieldset.getAttribute('data-question')];
      if (value === undefined || value === null) { return; }
      var type = fieldset.getAttribute('data-type');
      if (type === 'single' || type === 'multiple') {
        var chosen = [].concat(value);
        Array.prototype.forEach.call(fieldset.querySelectorAll('input'), function (input) {
          input.checked = chosen.indexOf(input.value) !== -1;
        });
      } else {
        fieldset.querySelector('input').value = String(value);
      }
    });
  }

  function showAttempts(attemptsLeft) {
    if (attemptsLeft === null || attemptsLeft === undefined) {
      attemptsRegion.textContent = '';
      return;
    }
    attemptsRegion.textContent = interpolate(gettext('Attempts left: %(count)s'), {count: attemptsLeft});
    submitButton.disabled = attemptsLeft === 0;
  }

  function showQuestions(questions) {
    fieldsets.forEach(function (fieldset) {
      var region = fieldset.querySelector('.mv-question-result');
      region.textContent = '';
      fieldset.removeAttribute('aria-invalid');
      var result = (questions || []).filter(function (q) {
        return q.id === fieldset.getAttribute('data-question');
      })[0];
      if (!result) { return; }
      region.appendChild(el('p', result.correct ? 'mv-correct' : 'mv-incorrect',
        result.correct ? gettext('Correct') : gettext('Not correct')));
      result.feedback.forEach(function (text) { region.appendChild(el('p', 'mv-feedback', text)); });
      result.hints.forEach(function (text) {
        region.appendChild(el('p', 'mv-hint', interpolate(gettext('Hint: %(text)s'), {text: text})));
      });
    });
  }

  function showResult(result) {
    resultRegion.textContent = '';
    resultRegion.classList.remove('mv-error');
    if (!result) { return; }
    var score = result.score;
    resultRegion.appendChild(el('p', 'mv-score', interpolate(gettext('Your score: %(earned)s of %(possible)s (%(percent)s)'), {
      earned: Math.round(score.earned * 100) / 100, possible: score.possible, percent: percent(score.percent)
    })));
    var list = el('ul', 'mv-outcomes');
    result.outcomes.forEach(function (outcome) {
      var text = interpolate(outcome.ever_validated
        ? gettext('%(outcome)s: validated (%(percent)s this attempt, %(threshold)s needed)')
        : gettext('%(outcome)s: not yet validated (%(percent)s this attempt, %(threshold)s needed)'), {
        outcome: outcome.text || outcome.id, percent: percent(outcome.percent), threshold: percent(outcome.threshold)
      });
      list.appendChild(el('li', outcome.ever_validated ? 'mv-validated' : 'mv-not-validated', text));
    });
    resultRegion.appendChild(list);
    if (result.notice) { resultRegion.appendChild(el('p', 'mv-notice', result.notice)); }
    showQuestions(result.questions);
  }

  function showError(body) {
    resultRegion.textContent = '';
    resultRegion.classList.add('mv-error');
    resultRegion.appendChild(el('p', null, body.error));
    fieldsets.forEach(function (fieldset) {
      if (fieldset.getAttribute('data-question') === body.field) {
        var region = fieldset.querySelector('.mv-question-result');
        region.textContent = '';
        region.appendChild(el('p', 'mv-incorrect', body.error));
        fieldset.setAttribute('aria-invalid', 'true');
        var input = fieldset.querySelector('input');
        if (input) { input.focus(); }
      }
    });
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    submitButton.disabled = true;
    common.postJSON(runtime.handlerUrl(root, 'submit'), {answers: collectAnswers()}).then(function (reply) {
      submitButton.disabled = false;
      if (reply.ok) {
        showResult(reply.body);
        showAttempts(reply.body.attempts_left);
        /* The micro-credential card on the page refreshes its progress (credential.js listens). */
        document.dispatchEvent(new CustomEvent('microvet:evidence-recorded', {detail: {usageId: state.usage_id}}));
      } else {
        showError(reply.body);
        showAttempts(state.attempts_left);
      }
      if (reply.ok) { state.attempts_left = reply.body.attempts_left; }
    });
  });

  restoreAnswers(state.answers || {});
  showResult(state.result);
  showAttempts(state.attempts_left);
}
