// Ticks the password rules as the user types. The server checks them again (and the common list).
(function () {
  'use strict';
  var input = document.querySelector('[data-password-input]');
  var list = document.querySelector('[data-password-rules]');
  if (!input || !list) return;
  function mark(rule, ok) {
    var item = list.querySelector('[data-rule="' + rule + '"]');
    if (item) item.classList.toggle('rule-met', ok);
  }
  input.addEventListener('input', function () {
    var value = input.value;
    mark('length', Array.from(value).length >= 12);
    mark('letter', /\p{L}/u.test(value));
    mark('digit', /\p{Nd}/u.test(value));
    var lower = value.toLowerCase();
    var email = (document.querySelector('[data-email]') || {}).value || '';
    var company = ((document.querySelector('[data-company-name]') || {}).value || '').toLowerCase().replace(/\s+/g, '');
    var local = email.toLowerCase().split('@')[0];
    var bad = (local.length >= 3 && lower.includes(local)) || (company.length >= 3 && lower.replace(/\s+/g, '').includes(company));
    mark('common', value.length > 0 && !bad);
  });
})();
