"""A script written for Zendesk with zenpy, run against the desk with only the URL and the
credentials changed (issue 18). Driven by tests/api/zendesk_clients.rs; exits non-zero on the
first failed check. Environment: ZENPY_FORCE_NETLOC / ZENPY_FORCE_SCHEME (zenpy's own), ZD_EMAIL,
ZD_TOKEN (an API token of an admin), ZD_REQUESTER (an email that has no account yet),
ZD_AGENT_ID (an agent's numeric id), ZD_TOTAL (tickets the desk holds before the script),
ZD_GROUP_ID (a group's numeric id)."""
import os
import sys
import time

from zenpy import Zenpy
from zenpy.lib.api_objects import Comment, GroupMembership, Organization, Ticket, Trigger, User
from zenpy.lib.exception import APIException


def check(cond, what):
    if not cond:
        print(f"FAILED: {what}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {what}")


zd = Zenpy(subdomain="local", email=os.environ["ZD_EMAIL"], token=os.environ["ZD_TOKEN"])

me = zd.users.me()
check(me.email == os.environ["ZD_EMAIL"] and isinstance(me.id, int), "users.me")

# A ticket for a requester who has no account yet.
requester = os.environ["ZD_REQUESTER"]
audit = zd.tickets.create(
    Ticket(subject="Printer on fire", description="Smoke everywhere", requester=User(name="Ada Lovelace", email=requester))
)
ticket = audit.ticket
check(isinstance(ticket.id, int) and ticket.status == "new", "tickets.create answers a TicketAudit")
check(zd.users(id=ticket.requester_id).email == requester, "the requester was made from name and email")

# Public reply, private note, assignment.
ticket.comment = Comment(body="We are on our way", public=True)
ticket.assignee_id = int(os.environ["ZD_AGENT_ID"])
zd.tickets.update(ticket)
ticket = zd.tickets(id=ticket.id)
ticket.comment = Comment(body="Bring the extinguisher", public=False)
ticket.status = "hold"
zd.tickets.update(ticket)
ticket = zd.tickets(id=ticket.id)
check(ticket.assignee_id == int(os.environ["ZD_AGENT_ID"]) and ticket.status == "hold", "assigned and on hold")
comments = list(zd.tickets.comments(ticket=ticket.id))
check([c.body for c in comments] == ["Smoke everywhere", "We are on our way", "Bring the extinguisher"], "comments")
check([c.public for c in comments] == [True, True, False], "public and private comments")

# Tags.
zd.tickets.add_tags(ticket.id, ["fire", "urgent"])
zd.tickets.delete_tags(ticket.id, ["urgent"])
check(list(zd.tickets.tags(ticket.id)) == ["fire"], "tags added and removed")

# Every ticket, past the first 100 (cursor pages).
ids = [t.id for t in zd.tickets()]
check(len(ids) == int(os.environ["ZD_TOTAL"]) + 1 and len(set(ids)) == len(ids), f"iterated {len(ids)} tickets")

# Search. The index follows writes within moments (as Zendesk's does): a script polls briefly.
for _ in range(60):
    found = list(zd.search("Printer", type="ticket"))
    if any(t.id == ticket.id for t in found):
        break
    time.sleep(0.25)
check(any(t.id == ticket.id for t in found), "search finds the ticket")

# Incremental export from the start of time, following after_url to the end of the stream.
exported = list(zd.tickets.incremental(start_time=0, paginate_by_time=False))
check(ticket.id in [t.id for t in exported], f"incremental export ({len(exported)} tickets)")

# Organizations.
org = zd.organizations.create(Organization(name=f"Acme {time.time_ns()}", domain_names=["acme.test"]))
check(isinstance(org.id, int), "organizations.create")
check(any(o.id == org.id for o in zd.organizations()), "organizations list")

# Safe update (zenpy: set safe_update and updated_stamp on the object): a stale stamp is a 409.
stale = zd.tickets(id=ticket.id)
fresh = zd.tickets(id=ticket.id)
fresh.priority = "urgent"
fresh.safe_update = True
fresh.updated_stamp = fresh.updated_at
zd.tickets.update(fresh)
stale.priority = "low"
stale.safe_update = True
stale.updated_stamp = stale.updated_at
try:
    zd.tickets.update(stale)
    check(False, "a stale safe update is refused")
except APIException as e:
    check(e.response.status_code == 409, "a stale safe update is a 409")
check(zd.tickets(id=ticket.id).priority == "urgent", "the stale update wrote nothing")
# A user's tickets: the requester's, and the agent's assigned ones.
check(ticket.id in [t.id for t in zd.users.requested(ticket.requester_id)], "users.requested")
check(ticket.id in [t.id for t in zd.users.assigned(int(os.environ["ZD_AGENT_ID"]))], "users.assigned")

# Users created or updated by email.
email = f"grace{time.time_ns()}@example.com"
grace = zd.users.create_or_update(User(name="Grace Hopper", email=email))
again = zd.users.create_or_update(User(name="Grace B. Hopper", email=email))
check(again.id == grace.id and zd.users(id=grace.id).name == "Grace B. Hopper", "users.create_or_update")

# Group memberships: made, listed per user, removed.
agent_id, group_id = int(os.environ["ZD_AGENT_ID"]), int(os.environ["ZD_GROUP_ID"])
membership = zd.group_memberships.create(GroupMembership(user_id=agent_id, group_id=group_id))
check(isinstance(membership.id, int) and membership.group_id == group_id, "group_memberships.create")
check(membership.id in [m.id for m in zd.users.group_memberships(agent_id)], "users.group_memberships")
zd.group_memberships.delete(membership)
check(membership.id not in [m.id for m in zd.users.group_memberships(agent_id)], "group_memberships.delete")

# A trigger made and deleted.
trigger = zd.triggers.create(Trigger(
    title="Tag VIP mail",
    conditions={"all": [{"field": "priority", "operator": "is", "value": "urgent"}], "any": []},
    actions=[{"field": "add_tags", "value": "vip"}],
))
check(isinstance(trigger.id, int), "triggers.create")
zd.triggers.delete(trigger)
try:
    zd.triggers(id=trigger.id)
    check(False, "a deleted trigger is gone")
except APIException as e:
    check(e.response.status_code == 404, "triggers.delete")
print("zenpy: all checks passed")
