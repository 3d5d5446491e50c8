"""使用说明 (found in the walk, issue 13: no help anywhere): a short guide per role, the signed-in
role's at /help and a resident's to anyone else, linked from every page's header; the collectors'
guide prints on one A4 page with the CJK font embedded."""
import re
import subprocess

import pytest

from tests import factories as f
from tests.ballots.test_paper import assert_all_fonts_embedded
from yishi.accounts.enums import Role

HELP_LINK = '<a class="help-link" href="/help"'


async def test_help_without_login_is_the_residents_guide(client):
    page = await client.get("/help")
    assert page.status_code == 200
    assert "<h1>使用说明：居民</h1>" in page.text
    assert '<a href="/s">我要提建议</a>' in page.text
    assert HELP_LINK in page.text


@pytest.mark.parametrize(("role", "title", "first_link"), [
    (Role.collector, "民情收集员", '<a href="/suggestions/new">代居民录入</a>'),
    (Role.member, "议事组成员", '<a href="/council">议事组</a>'),
    (Role.convener, "议事组召集人", '<a href="/rounds">批次与清单</a>'),
    (Role.street_staff, "镇（街道）工作人员", '<a href="/suggestions/">居民建议</a>'),
    (Role.unit_clerk, "责任单位经办人", '<a href="/cases/">接诉即办</a>'),
    (Role.observer, "观察员", '<a href="/evaluation/">评实效</a>'),
    (Role.district_reviewer, "区级审核人员", '<a href="/district">区级审核</a>'),
    (Role.admin, "系统管理员", '<a href="/users/">用户管理</a>'),
])
async def test_help_signed_in_is_the_roles_own_guide(client, role, title, first_link):
    places = await f.make_places()
    if role is Role.unit_clerk:
        user = await f.make_clerk(places, await f.make_unit(places))
    else:
        user = await f.make_user(role, places)
    await f.login(client, user.username)
    page = await client.get("/help")
    assert page.status_code == 200
    assert f"<h1>使用说明：{title}</h1>" in page.text
    assert first_link in page.text
    # The header shows the account as on any signed-in page, with the link marked current.
    assert user.display_name in page.text and "修改密码" in page.text
    assert f'{HELP_LINK} aria-current="page"' in page.text
    # Every other guide is one link away, not this one again.
    others = re.findall(r'<li><a href="/help/(\w+)">', page.text)
    assert len(others) == 8 and role.value not in others


@pytest.mark.parametrize(("role", "links", "words"), [
    (Role.street_staff, ['<a href="/cases/">接诉即办</a>'],
     {"接诉即办": ["“待派单”", "“派单目录”", "主办单位会自动填好", "协办单位"],
      "办结和提级": ["点“办结”", "退单", "重新派单", "点“提级”", "交给区里办"]}),
    (Role.district_reviewer, ['<a href="/cases/">接诉即办</a>', '<a href="/cases/catalog">派单目录与办理时限</a>'],
     {"接诉即办": ["“提级”里看各街道交上来的事项", "重新派单", "由区里办结", "改派单目录", "办理时限"]}),
])
async def test_street_and_district_guides_explain_their_part_of_the_cases(client, role, links, words):
    """接诉即办 in each guide, as the unit clerk's has it: the street dispatches with the
    catalogue, closes and escalates; the district takes the escalated cases and keeps the
    catalogue and the time limits. The links lead to pages this role may open."""
    user = await f.make_user(role, await f.make_places())
    await f.login(client, user.username)
    page = await client.get("/help")
    steps = dict(re.findall(r"<li><strong>(.*?)</strong>(.*?)</li>", page.text, re.S))
    for link in links:
        assert link in steps["接诉即办"]
        assert (await client.get(re.findall(r'href="([^"]+)"', link)[0])).status_code == 200
    for title, wanted in words.items():
        for word in wanted:
            assert word in steps[title], (title, word)


async def test_street_staff_guide_grades_then_dispatches_rather_than_naming_a_unit(client):
    """Since 派单 the street no longer names the responsible unit when grading: a unit gets the
    case by dispatch (the button on the suggestion, or 接诉即办's “待派单”)."""
    page = await client.get("/help/street_staff")
    steps = dict(re.findall(r"<li><strong>(.*?)</strong>(.*?)</li>", page.text, re.S))
    first = steps["处理居民建议"]
    assert "责任单位" not in first.replace("“派单给责任单位”", "")
    assert "定办理方式。要交给单位办的，点“派单给责任单位”（见下一步）" in first


async def test_guide_in_english_keeps_each_link_inside_its_sentence(client):
    """A step is one message with its link in it, so English puts the link where its grammar
    wants it, with the spaces and punctuation around it (it was pieced together from parts)."""
    client.cookies.set("yishi_lang", "en")
    page = await client.get("/help/resident")
    assert "<h1>Guide: Resident</h1>" in page.text
    assert 'or tap <a href="/s">Make a suggestion</a>. Write what you would like done' in page.text
    assert 'Tap <a href="/t">Check progress</a> and enter the tracking code' in page.text


async def test_help_of_another_role_by_its_address_and_unknown_404(client):
    page = await client.get("/help/collector")
    assert "<h1>使用说明：民情收集员</h1>" in page.text
    assert 'href="/help/collector.pdf"' in page.text
    missing = await client.get("/help/nobody")
    assert missing.status_code == 404
    assert "没有这份使用说明。" in missing.text


@pytest.mark.parametrize("path", ["/", "/login", "/s", "/t", "/vote"])
async def test_help_linked_from_residents_pages_header(client, path):
    page = await client.get(path)
    assert page.status_code == 200
    assert HELP_LINK in page.text


@pytest.mark.parametrize("path", ["/rounds", "/suggestions/", "/users/", "/account/password"])
async def test_help_linked_from_staff_pages_header(client, path):
    places = await f.make_places()
    user = await f.make_user(Role.street_staff, places)
    await f.login(client, user.username)
    page = await client.get(path)
    assert page.status_code == 200
    assert HELP_LINK in page.text


async def test_collector_guide_pdf_is_one_a4_page_with_cjk_font_embedded(client, tmp_path):
    response = await client.get("/help/collector.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "guide.pdf"
    pdf.write_bytes(response.content)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+1\n", info)
    assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Noto-Sans-CJK-SC\s.*yes yes yes", fonts)
    assert_all_fonts_embedded(fonts)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert text.startswith("民情收集员使用说明")
    for step in ("记建议", "一次录很多条", "发纸质选票", "录纸质选票", "帮老人勾选", "请记住"):
        assert step in text
    # The addresses a collector will type, of this site.
    assert "http://testserver.local/suggestions/new" in text
