// The login page: username and password for a bearer token kept in this tab.
import { api, session } from './api.js';
import { h, showError } from './dom.js';

export async function loginPage(main) {
  const user = h('input', { id: 'username', name: 'username', autocomplete: 'username', required: true });
  const pass = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const form = h('form', { class: 'login', onsubmit: async ev => {
    ev.preventDefault();
    try {
      const r = await api('POST', '/login', { body: { username: user.value, password: pass.value } });
      session.save(r.token, r.user);
      location.hash = '#/campaigns';
    } catch (e) {
      showError('Login failed: ' + e.message);
      pass.value = '';
      pass.focus();
    }
  } },
  h('h1', null, 'Log in to hark'),
  h('label', null, 'Username', user),
  h('label', null, 'Password', pass),
  h('button', { type: 'submit', id: 'login' }, 'Log in'));
  main.append(form);
  user.focus();
}
