// A script written for Zendesk with node-zendesk, run against the desk with only the URL and
// the credentials changed (issue 18). Driven by tests/api/zendesk_clients.rs; exits non-zero on
// the first failed check. Environment: ZD_URL (…/api/v2), ZD_EMAIL, ZD_TOKEN, ZD_REQUESTER,
// ZD_AGENT_ID, ZD_TOTAL, NODE_PATH (where node-zendesk is installed).
const zendesk = require('node-zendesk');

function check(cond, what) {
  if (!cond) {
    console.error(`FAILED: ${what}`);
    process.exit(1);
  }
  console.log(`ok: ${what}`);
}

async function main() {
  const client = zendesk.createClient({
    username: process.env.ZD_EMAIL,
    token: process.env.ZD_TOKEN,
    endpointUri: process.env.ZD_URL,
  });
  const agentId = Number(process.env.ZD_AGENT_ID);

  const me = (await client.users.me()).result;
  check(me.email === process.env.ZD_EMAIL && Number.isInteger(me.id), 'users.me');

  const created = (await client.tickets.create({
    ticket: {
      subject: 'Printer on fire',
      comment: {body: 'Smoke everywhere'},
      requester: {name: 'Grace Hopper', email: process.env.ZD_REQUESTER},
    },
  })).result;
  check(Number.isInteger(created.id) && created.status === 'new', 'tickets.create');

  await client.tickets.update(created.id, {ticket: {comment: {body: 'On our way', public: true}, assignee_id: agentId}});
  await client.tickets.update(created.id, {ticket: {comment: {body: 'Bring water', public: false}}});
  const shown = (await client.tickets.show(created.id)).result;
  check(shown.assignee_id === agentId && shown.status === 'open', 'assigned and open');
  const comments = await client.tickets.getComments(created.id);
  const list = comments.result || comments;
  check(JSON.stringify(list.map((c) => [c.body, c.public])) === JSON.stringify([['Smoke everywhere', true], ['On our way', true], ['Bring water', false]]), 'public and private comments');

  await client.tickets.addTags(created.id, {tags: ['fire']});
  const tagged = (await client.tickets.show(created.id)).result;
  check(tagged.tags.includes('fire'), 'tags added');
  const all = await client.tickets.list();
  const ids = (all.result || all).map((t) => t.id);
  check(ids.length === Number(process.env.ZD_TOTAL) + 1 && new Set(ids).size === ids.length, `iterated ${ids.length} tickets`);

  // Search. The index follows writes within moments (as Zendesk's does): a script polls briefly.
  let results = [];
  for (let i = 0; i < 60 && !results.some((r) => r.id === created.id); i++) {
    const found = await client.search.query('type:ticket Printer');
    results = found.result || found;
    if (!results.some((r) => r.id === created.id)) await new Promise((r) => setTimeout(r, 250));
  }
  check(results.some((r) => r.id === created.id), 'search');

  const orgs = await client.organizations.list();
  check(Array.isArray(orgs.result || orgs), 'organizations list');

  // Safe update: the updated_at read is the stamp; a stale one is a 409 and writes nothing.
  const read = (await client.tickets.show(created.id)).result;
  await client.tickets.update(created.id, {ticket: {priority: 'urgent', safe_update: true, updated_stamp: read.updated_at}});
  let conflict = null;
  try {
    await client.tickets.update(created.id, {ticket: {priority: 'low', safe_update: true, updated_stamp: read.updated_at}});
  } catch (e) {
    conflict = e;
  }
  check(conflict !== null && String(conflict.message).includes('(409)'), 'a stale safe update is a 409');
  check((await client.tickets.show(created.id)).result.priority === 'urgent', 'the stale update wrote nothing');
  console.log('node-zendesk: all checks passed');
}

main().catch((e) => {
  console.error('FAILED:', e && (e.stack || e));
  process.exit(1);
});
