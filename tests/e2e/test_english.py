"""The app in English, in a real browser at phone width: no Chinese outside what users typed, no
page wider than the phone; the same walk in Chinese still reads Chinese; the switch keeps the page
and what was typed.

User data is given Latin names here, so any Chinese character on an English page is interface
text that escaped translation. Elements marked translate="no" (the language switch's 中文, which
names the language in its own script) are left out."""
from __future__ import annotations

import re

import pytest
from playwright.async_api import expect

from tests import factories as f
from tests.e2e.helpers import login
from yishi.accounts import services as accounts
from yishi.accounts.enums import Role
from yishi.places.tables import Community, District, Town
from yishi.wishlists import services as wishlists
from yishi.wishlists.enums import ItemKind

pytestmark = pytest.mark.e2e

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff5e]")
# The catalog keeps the Chinese name in brackets where the process has no English one:
# "Scan to be heard (码上听)", "intent list (意愿清单)". Those brackets are meant to be there.
CHINESE_TERM = re.compile(r"\([\u4e00-\u9fff]+\)")
# The text a reader sees: scripts, styles and translate="no" elements left out.
VISIBLE_TEXT = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('script, style, [translate="no"]').forEach(e => e.remove());
  const attrs = [...body.querySelectorAll('[placeholder], [aria-label], [title], [alt]')]
    .flatMap(e => ['placeholder', 'aria-label', 'title', 'alt'].map(a => e.getAttribute(a) || ''));
  return [document.title, body.textContent, ...attrs].join('\\n');
}"""


async def _latin_world() -> dict:
    district = District(name="Qingbaijiang District")
    await district.save()
    town = Town(district=district.id, name="Dawan Street")
    await town.save()
    communities = []
    for name in ("Riverside Community", "Hillside Community"):
        c = Community(town=town.id, name=name)
        await c.save()
        communities.append(c.id)
    places = {"district": district.id, "town": town.id, "communities": communities}
    users = {}
    for role in (Role.admin, Role.street_staff, Role.convener, Role.collector, Role.district_reviewer):
        where = {}
        if role is Role.district_reviewer:
            where["district_id"] = district.id
        elif role is not Role.admin:
            where["town_id"] = town.id
        if role is Role.collector:
            where["community_id"] = communities[0]
        users[role] = await accounts.create_user(username=f"en_{role.value}", password=f.PASSWORD,
                                                 display_name=f"Ms {role.value.title()}", role=role, **where)
    round_id = await wishlists.create_round(town_id=town.id, title="Spring round", budget_fen=300000_00,
                                           max_ticks=2, actor=None)
    r = await wishlists.get_round(round_id)
    for i, (title, kind) in enumerate([("Benches by the river", ItemKind.universal),
                                       ("Street lights", ItemKind.special), ("Ramp at the clinic", ItemKind.pilot)]):
        await wishlists.add_item(r, title=title, description=f"Description {i + 1}", cost_fen=(i + 1) * 10000_00,
                                 kind=kind, actor=None)
    return {"places": places, "users": users, "round": await wishlists.get_round(round_id)}


async def _english_page(open_page):
    """A phone whose visitor chose English (the switch's cookie; Accept-Language is tested apart)."""
    page = await open_page(phone=True)
    await page.goto("/healthz")
    await page.context.add_cookies([{"name": "yishi_lang", "value": "en", "url": page.url}])
    return page


async def _check(page, path: str, problems: list[str]) -> None:
    response = await page.goto(path)
    assert response is not None and response.status < 500, (path, response and response.status)
    leaks = sorted(set(CJK.findall(CHINESE_TERM.sub("", await page.evaluate(VISIBLE_TEXT)))))
    if leaks:
        problems.append(f"{path}: Chinese left on the English page: {''.join(leaks)}")
    wide = await page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if wide > 0:
        problems.append(f"{path}: {wide}px wider than the phone")


# The pages the English walk covers (the rest of the staff pages: see the catalog test's report).
RESIDENT_PAGES = ["/", "/login", "/s", "/t", "/no-such-page"]
STAFF_PAGES = {
    Role.street_staff: ["/rounds", "/rounds/{round}", "/suggestions/", "/suggestions/new", "/account/password"],
    Role.convener: ["/rounds", "/council"],
    Role.collector: ["/suggestions/new"],
    Role.admin: ["/users/", "/units/"],
    Role.district_reviewer: ["/district"],
}


@pytest.mark.walk
async def test_resident_pages_in_english_have_no_chinese_and_fit_a_phone(open_page):
    world = await _latin_world()
    page = await _english_page(open_page)
    problems: list[str] = []
    for path in RESIDENT_PAGES:
        await _check(page, path, problems)
    codes = await f.open_round(world["round"], codes_per_community=1)
    await _check(page, f"/v/{codes[0]}", problems)
    await page.get_by_text("Benches by the river").click()
    await page.get_by_role("button", name="Submit").click()
    await expect(page.get_by_role("heading", name="Submitted")).to_be_visible()
    leaks = sorted(set(CJK.findall(CHINESE_TERM.sub("", await page.evaluate(VISIBLE_TEXT)))))
    assert not leaks, f"receipt: {''.join(leaks)}"
    assert not problems, "\n".join(problems)


@pytest.mark.walk
@pytest.mark.parametrize("role", list(STAFF_PAGES), ids=lambda r: r.value)
async def test_staff_pages_in_english_have_no_chinese_and_fit_a_phone(open_page, role):
    world = await _latin_world()
    page = await _english_page(open_page)
    await page.goto("/login")
    await page.get_by_label("Username", exact=True).fill(world["users"][role].username)
    await page.get_by_label("Password", exact=True).fill(f.PASSWORD)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    await expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    problems: list[str] = []
    for path in STAFF_PAGES[role]:
        await _check(page, path.format(round=world["round"].id), problems)
    assert not problems, "\n".join(problems)


@pytest.mark.walk
async def test_same_walk_in_chinese_reads_chinese(open_page):
    world = await _latin_world()
    page = await open_page(phone=True)
    await page.goto("/")
    await expect(page.get_by_role("heading", name="群众勾选")).to_be_visible()
    await login(page, world["users"][Role.street_staff].username)
    await page.goto(f"/rounds/{world['round'].id}")
    await expect(page.get_by_role("navigation").get_by_role("link", name="批次与清单")).to_be_visible()
    assert await page.locator("html").get_attribute("lang") == "zh-CN"


async def test_switching_language_keeps_the_page_and_what_was_typed(open_page):
    await _latin_world()
    page = await open_page(phone=True)
    await page.goto("/s")
    await page.get_by_label("您的建议").fill("The lift in block 3 has been broken for a week.")
    await page.get_by_label("称呼").fill("Mr Lee")
    await page.get_by_role("button", name="English").click()

    await expect(page).to_have_url(re.compile(r"/s$"))
    await expect(page.get_by_label("Your suggestion")).to_have_value("The lift in block 3 has been broken for a week.")
    await expect(page.get_by_label("How to address you")).to_have_value("Mr Lee")
    assert await page.locator("html").get_attribute("lang") == "en"

    await page.get_by_role("button", name="中文").click()
    await expect(page.get_by_label("您的建议")).to_have_value("The lift in block 3 has been broken for a week.")
    # Remembered: a new page of the same visit comes in the last language chosen.
    await page.goto("/t")
    assert await page.locator("html").get_attribute("lang") == "zh-CN"
