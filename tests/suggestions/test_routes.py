"""Suggestion routes: the public form and tracking page, staff triage, permissions, files."""
import re

from tests import factories as f
from yishi.accounts.enums import Role
from yishi.suggestions import catalog, rules, services
from yishi.suggestions.enums import Grade, SuggestionStatus, Track
from yishi.suggestions.tables import Suggestion


async def _public_token(client, path="/s"):
    page = await client.get(path)
    assert page.status_code in (200, 404)
    return f.csrf_from(page.text), page


async def _cat(name="公共设施") -> int:
    return {c["name"]: c["id"] for c in await catalog.categories()}[name]


async def test_point_url_prefills_community_and_submit_redirects_to_tracking(client):
    places = await f.make_places()
    point = await f.make_point(places, community_index=1)
    token, page = await _public_token(client, f"/s/{point.code.lower()}")
    assert page.status_code == 200
    assert point.name in page.text
    assert re.search(rf'<option value="{places["communities"][1]}" selected>', f.unmarked(page.text))
    r = await client.post("/s", data={"_csrf_token": token, "point": point.code,
                                      "content": "小区健身器材坏了，希望更换。",
                                      "category": str(await _cat()), "community": str(places["communities"][1]),
                                      "name": "", "phone": "13812341234", "website": ""})
    assert r.status_code in (302, 303), r.text
    code = r.headers["location"].split("/t/")[1].split("?")[0]
    row = await Suggestion.select().where(Suggestion.tracking_code == code).first().run()
    assert row["channel"] == "qr" and row["point"] == point.id and row["phone_masked"] == "138****1234"
    page = await client.get(r.headers["location"])
    assert page.status_code == 200
    assert "提交成功" in page.text and rules.display_code(code) in page.text
    assert "已受理" in page.text
    assert "13812341234" not in page.text and "138****1234" not in page.text


async def test_public_form_errors_are_chinese_4xx_and_keep_input(client):
    places = await f.make_places()
    token, _ = await _public_token(client)
    r = await client.post("/s", data={"_csrf_token": token, "content": "太短", "category": str(await _cat()),
                                      "community": str(places["communities"][0]), "phone": "", "website": ""})
    assert r.status_code == 400
    assert "请写下您的建议，至少 5 个字。" in r.text
    assert "太短</textarea>" in r.text
    r = await client.post("/s", data={"_csrf_token": token, "content": "垃圾桶太少了，经常满出来。",
                                      "category": "abc", "community": str(places["communities"][0])})
    assert r.status_code == 400 and "类别选择有误" in r.text
    r = await client.post("/s", data={"_csrf_token": token, "content": "垃圾桶太少了，经常满出来。",
                                      "category": str(await _cat()), "community": str(places["communities"][0]),
                                      "phone": "110"})
    assert r.status_code == 400 and "联系电话格式不对" in r.text
    assert await Suggestion.count() == 0


async def test_public_form_points_at_every_bad_field_at_once(client):
    places = await f.make_places()
    token, _ = await _public_token(client)
    r = await client.post("/s", data={"_csrf_token": token, "content": "灯", "community": str(places["communities"][0]),
                                      "phone": "1381234"})
    assert r.status_code == 400
    assert "有 3 处需要修改，请看下面标红的地方。" in r.text
    for message in ("至少 5 个字", "请选择建议类别。", "联系电话格式不对"):
        assert message in r.text
    assert 'value="1381234"' in r.text
    assert await Suggestion.count() == 0


async def test_public_form_honeypot_and_csrf_save_nothing(client):
    places = await f.make_places()
    token, _ = await _public_token(client)
    data = {"content": "路口红绿灯时间太短，老人过不去。", "category": str(await _cat("交通出行")),
            "community": str(places["communities"][0])}
    r = await client.post("/s", data={**data, "_csrf_token": token, "website": "http://spam.example"})
    assert r.status_code == 400 and "提交未成功" in r.text
    r = await client.post("/s", data=data)
    assert r.status_code == 403
    assert await Suggestion.count() == 0


async def test_public_form_rate_limited_per_client(client, app):
    from yishi.web.resident import suggest as public

    places = await f.make_places()
    token, _ = await _public_token(client)
    data = {"_csrf_token": token, "content": "希望小区多装几个路灯。", "category": str(await _cat()),
            "community": str(places["communities"][0])}
    for _ in range(public.SUBMIT_LIMIT):
        assert (await client.post("/s", data=data)).status_code in (302, 303)
    r = await client.post("/s", data=data)
    assert r.status_code == 429 and "提交太频繁" in r.text
    assert await Suggestion.count() == public.SUBMIT_LIMIT


async def test_public_form_body_size_limit(client):
    places = await f.make_places()
    token, _ = await _public_token(client)
    r = await client.post("/s", data={"_csrf_token": token, "content": "长" * 40000, "category": str(await _cat()),
                                      "community": str(places["communities"][0])})
    assert r.status_code == 413
    assert "请求无法处理" in r.text
    assert await Suggestion.count() == 0


async def test_unknown_tracking_code_says_so_and_nothing_else(client):
    r = await client.get("/t/ACDE-FGHJ")
    assert r.status_code == 404
    assert "查不到这个查询码，请核对后重新输入。" in r.text
    r = await client.get("/t?code=acde fghj")
    assert r.status_code in (302, 303) and r.headers["location"] == "/t/ACDEFGHJ"


async def test_inactive_point_shows_plain_form_with_notice(client):
    r = await client.get("/s/XXXXXX")
    assert r.status_code == 404
    assert "这个二维码已失效或不存在" in r.text and 'name="content"' in r.text


async def test_staff_triage_through_routes(client):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    a = await f.make_suggestion(places, content="老旧小区楼道灯不亮。", phone="13512345678")
    b = await f.make_suggestion(places, content="5栋楼道灯坏了。")
    token = await f.login(client, staff.username)
    page = await client.get("/suggestions/")
    assert page.status_code == 200 and "老旧小区楼道灯不亮" in page.text
    assert "135****5678" in page.text and "13512345678" not in page.text
    page = await client.get(f"/suggestions/{a.id}")
    assert page.status_code == 200 and "查看完整号码" in page.text
    r = await client.post(f"/suggestions/{a.id}/grade", data={"_csrf_token": token, "grade": "C", "track": "now",
                                                             "tier": "community", "lead_unit": "社区居委会"})
    assert r.status_code in (302, 303), r.text
    r = await client.post(f"/suggestions/{a.id}/merge", data={"_csrf_token": token, "codes": b.tracking_code})
    assert r.status_code in (302, 303), r.text
    r = await client.post(f"/suggestions/{a.id}/close", data={"_csrf_token": token, "reply": ""})
    assert r.status_code == 400 and "请填写给居民的答复。" in r.text
    r = await client.post(f"/suggestions/{a.id}/close", data={"_csrf_token": token, "reply": "楼道灯已全部更换。"})
    assert r.status_code in (302, 303)
    r = await client.post(f"/suggestions/{a.id}/phone", data={"_csrf_token": token}, headers={"hx-request": "true"})
    assert r.status_code == 200 and "13512345678" in r.text
    page = await client.get(f"/suggestions/{a.id}")
    assert "查看完整电话" in page.text and "办结" in page.text
    track = await client.get(f"/t/{b.tracking_code}")
    assert "楼道灯已全部更换。" in track.text and "合并办理" in track.text


async def test_merge_route_codes_typed_with_a_chinese_input_method(client):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    a, b, c, d, e = [await f.make_suggestion(places, content=f"第{n}栋楼道灯不亮。") for n in range(1, 6)]
    token = await f.login(client, staff.username)
    full_width = "".join(chr(ord(ch) + 0xFEE0) for ch in rules.display_code(d.tracking_code))
    # full-width comma, 顿号, full-width semicolon and an ideographic space between the codes
    typed = f"{b.tracking_code}\uff0c{c.tracking_code.lower()}\u3001{full_width}\uff1b\u3000{e.tracking_code}"
    r = await client.post(f"/suggestions/{a.id}/merge", data={"_csrf_token": token, "codes": typed})
    assert r.status_code in (302, 303), r.text
    for other in (b, c, d, e):
        assert (await services.get(other.id))["merged_into"] == a.id


async def test_wrong_state_action_is_409_in_chinese(client):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    a = await f.make_suggestion(places)
    token = await f.login(client, staff.username)
    r = await client.post(f"/suggestions/{a.id}/start", data={"_csrf_token": token})
    assert r.status_code == 409 and "已受理" in r.text and "请先分级" in r.text


async def test_permissions_grid(client):
    places = await f.make_places()
    other = await f.make_places()
    s = await f.make_suggestion(places, phone="13512345678")
    member = await f.make_user(Role.member, places)
    outsider = await f.make_user(Role.street_staff, other)
    collector = await f.make_user(Role.collector, places)
    admin = await f.make_user(Role.admin)
    cases = [
        (member, "get", f"/suggestions/{s.id}", 200), (member, "post", f"/suggestions/{s.id}/grade", 403),
        (member, "post", f"/suggestions/{s.id}/phone", 403), (member, "get", "/suggestions/new", 403),
        (outsider, "get", f"/suggestions/{s.id}", 403), (outsider, "post", f"/suggestions/{s.id}/close", 403),
        (collector, "get", "/suggestions/new", 200), (collector, "post", f"/suggestions/{s.id}/phone", 403),
        (admin, "get", f"/suggestions/{s.id}", 200), (admin, "post", f"/suggestions/{s.id}/phone", 403),
    ]
    for user, method, path, expected in cases:
        client.cookies.clear()
        token = await f.login(client, user.username)
        if method == "get":
            r = await client.get(path)
        else:
            r = await client.post(path, data={"_csrf_token": token, "grade": "A", "track": "now", "reply": "x"})
        assert r.status_code == expected, (user.role, path, r.status_code)
    client.cookies.clear()
    assert (await client.get("/suggestions/")).status_code in (302, 303)  # to the login page


async def test_collector_records_on_behalf_of_resident(client):
    places = await f.make_places()
    collector = await f.make_user(Role.collector, places)
    token = await f.login(client, collector.username)
    page = await client.get("/suggestions/new")
    assert page.status_code == 200
    r = await client.post("/suggestions/new", data={
        "_csrf_token": token, "channel": "visit", "community": str(places["communities"][0]),
        "category": str(await _cat("养老")), "content": "独居老人希望有人定期上门看看。", "name": "刘大爷",
        "phone": "028-83912345", "received_on": rules.today_in_china().isoformat()})
    assert r.status_code in (302, 303), r.text
    sid = int(r.headers["location"].split("/")[2].split("?")[0])
    row = await services.get(sid)
    assert row["recorded_by"] == collector.id and row["channel"] == "visit" and row["phone_masked"] == "028****2345"
    page = await client.get(r.headers["location"])
    assert "已录入" in page.text and rules.display_code(row["tracking_code"]) in page.text
    other = await f.make_places()
    r = await client.post("/suggestions/new", data={
        "_csrf_token": token, "channel": "visit", "community": str(other["communities"][0]),
        "category": str(await _cat("养老")), "content": "别的街道的建议内容。"})
    assert r.status_code == 403


async def test_list_filters_counts_search_and_htmx_fragment(client):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    a = await f.make_suggestion(places, content="希望开设四点半课堂。", category="教育")
    await f.make_suggestion(places, content="菜市场周边乱停车。", category="交通出行")
    await services.grade(a.id, grade=Grade.A, track=Track.deadline, actor=staff)
    await f.login(client, staff.username)
    page = await client.get("/suggestions/?q=课堂")
    assert "四点半课堂" in page.text and "菜市场" not in page.text
    page = await client.get("/suggestions/?status=graded")
    assert "四点半课堂" in page.text and "菜市场" not in page.text
    assert re.search(r"已分级<span class=\"n\">1</span>", page.text)
    assert re.search(r"已受理<span class=\"n\">1</span>", page.text)
    fragment = await client.get("/suggestions/?category=" + str(await _cat("交通出行")),
                                headers={"hx-request": "true", "hx-target": "results"})
    assert fragment.status_code == 200 and "<html" not in fragment.text and "菜市场" in fragment.text


async def test_export_xlsx_masks_phone_and_name(client):
    import io

    from openpyxl import load_workbook

    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    await f.make_suggestion(places, content="公交站没有遮雨棚。", phone="13912345678", name="陈秀兰",
                            spot="锦城花园北门")
    await f.login(client, staff.username)
    r = await client.get("/suggestions/export.xlsx?q=公交")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    rows = list(ws.iter_rows(values_only=True))
    header = rows[2]
    data = dict(zip(header, rows[3], strict=True))
    assert data["建议内容"] == "公交站没有遮雨棚。"
    assert data["联系电话"] == "139****5678" and data["居民姓名"] == "陈**"
    assert data["点位"] == "锦城花园北门"
    assert "13912345678" not in str(rows)


async def test_wish_item_from_list_selection(client):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    a = await f.make_suggestion(places, content="楼道太陡，希望装折叠座椅。", category="养老")
    b = await f.make_suggestion(places, content="老人爬楼中间想坐一下。", category="养老")
    round_ = await f.make_round(places, items=0, actor=staff)
    token = await f.login(client, staff.username)
    page = await client.get(f"/suggestions/wish?ids={a.id}&ids={b.id}")
    assert page.status_code == 200 and round_.title in page.text
    r = await client.post("/suggestions/wish", data={"_csrf_token": token, "ids": [str(a.id), str(b.id)],
                                                     "round": str(round_.id), "title": "爱心座椅", "cost": "48000",
                                                     "kind": "special", "description": "", "reply": ""})
    assert r.status_code in (302, 303), r.text
    page = await client.get(r.headers["location"])
    assert "爱心座椅" in page.text and rules.display_code(a.tracking_code) in page.text
    assert (await services.get(b.id))["status"] is SuggestionStatus.listed
    r = await client.post("/suggestions/wish", data={"_csrf_token": token, "ids": [str(a.id)], "round": str(round_.id),
                                                     "title": "重复", "cost": "abc", "kind": "special"})
    assert r.status_code == 400 and "预计费用应为数字" in r.text


async def test_points_page_and_poster_pdf(client):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    token = await f.login(client, staff.username)
    r = await client.post("/suggestions/points", data={"_csrf_token": token, "community": str(places["communities"][0]),
                                                       "name": "社区党群服务中心观测点", "address": "一楼大厅"})
    assert r.status_code in (302, 303), r.text
    points = await catalog.points_of_town(places["town"])
    page = await client.get("/suggestions/points")
    assert f"/s/{points[0].code}" in page.text
    pdf = await client.get(f"/suggestions/points/{points[0].id}/poster.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    r = await client.post("/suggestions/points", data={"_csrf_token": token, "community": "", "name": "x"})
    assert r.status_code == 400


async def test_stats_and_settings_pages(client):
    places = await f.make_places()
    staff = await f.make_user(Role.street_staff, places)
    await f.make_suggestion(places)
    token = await f.login(client, staff.username)
    page = await client.get("/suggestions/stats")
    assert page.status_code == 200 and "第1社区" in page.text and "响应率" in page.text
    page = await client.get("/suggestions/stats?by=category")
    assert "公共设施" in page.text
    r = await client.post("/suggestions/settings/deadlines", data={"_csrf_token": token, "now": "2", "deadline": "10",
                                                                    "study": "0"})
    assert r.status_code == 400 and "1 到 365" in r.text
    r = await client.post("/suggestions/settings/deadlines", data={"_csrf_token": token, "now": "2", "deadline": "10",
                                                                    "study": "40"})
    assert r.status_code in (302, 303)
    assert (await catalog.track_days(places["town"]))[Track.study] == 40
    r = await client.post("/suggestions/settings/categories", data={"_csrf_token": token, "name": "就业"})
    assert r.status_code == 403


async def test_phone_unmasked_only_by_the_handler_once_a_case_is_taken(client):
    places = await f.make_places()
    handler = await f.make_user(Role.street_staff, places)
    colleague = await f.make_user(Role.street_staff, places)
    s = await f.make_suggestion(places, content="小区里的健身器材坏了。", phone="13912345678")
    token = await f.login(client, colleague.username)
    r = await client.post(f"/suggestions/{s.id}/phone", data={"_csrf_token": token}, headers={"hx-request": "true"})
    assert r.status_code == 200 and "13912345678" in r.text  # nobody handles it yet: triage may look
    from yishi.suggestions import services as suggestions
    from yishi.suggestions.enums import Grade, Tier, Track
    await suggestions.grade(s.id, grade=Grade.C, track=Track.now, tier=Tier.community, lead_unit="社区居委会",
                            actor=handler)
    r = await client.post(f"/suggestions/{s.id}/phone", data={"_csrf_token": token}, headers={"hx-request": "true"})
    assert r.status_code == 403 and "13912345678" not in r.text
    page = await client.get(f"/suggestions/{s.id}")
    assert "查看完整号码" not in page.text


async def test_export_only_for_staff_and_reviewers_not_members_or_collectors(client):
    places = await f.make_places()
    await f.make_suggestion(places, phone="13712345678")
    member = await f.make_user(Role.member, places)
    collector = await f.make_user(Role.collector, places)
    staff = await f.make_user(Role.street_staff, places)
    reviewer = await f.make_user(Role.district_reviewer, places)
    for user, status in [(member, 403), (collector, 403), (staff, 200), (reviewer, 200)]:
        client.cookies.clear()
        await f.login(client, user.username)
        r = await client.get("/suggestions/export.xlsx")
        assert r.status_code == status, user.role
        page = await client.get("/suggestions/")
        assert ("/suggestions/export.xlsx" in page.text) is (status == 200)


async def test_public_form_takes_a_spot_and_offers_the_communitys_known_ones(client):
    places = await f.make_places()
    point = await f.make_point(places, community_index=1)
    await f.make_suggestion(places, community_index=1, spot="幸福小区3栋")
    await f.make_suggestion(places, community_index=1, spot="幸福小区3栋")
    await f.make_suggestion(places, community_index=1, spot="菜市场门口")
    await f.make_suggestion(places, community_index=0, spot="别的社区的院子")
    token, page = await _public_token(client, f"/s/{point.code}")
    choices = re.findall(r'<option value="([^"]+)">', page.text.split('id="spot-choices"')[1].split("</datalist>")[0])
    assert choices == ["幸福小区3栋", "菜市场门口"]  # the most named first; only the poster's community
    r = await client.post("/s", data={"_csrf_token": token, "point": point.code, "content": "楼下垃圾桶满了没人清。",
                                      "category": str(await _cat()), "community": str(places["communities"][1]),
                                      "spot": "  幸福小区３栋 ", "website": ""})
    assert r.status_code in (302, 303), r.text
    code = r.headers["location"].split("/t/")[1].split("?")[0]
    row = await Suggestion.select(Suggestion.spot).where(Suggestion.tracking_code == code).first().run()
    assert row["spot"] == "幸福小区3栋"
    r = await client.post("/s", data={"_csrf_token": token, "content": "楼下垃圾桶满了没人清。",
                                      "category": str(await _cat()), "community": str(places["communities"][1]),
                                      "spot": "很" * 41, "website": ""})
    assert r.status_code == 400 and "点位不能超过 40 个字。" in r.text and "很" * 41 in r.text


async def test_collector_names_the_spot_and_staff_see_it(client):
    places = await f.make_places()
    collector = await f.make_user(Role.collector, places)
    await f.make_suggestion(places, spot="锦城花园北门")
    token = await f.login(client, collector.username)
    page = await client.get("/suggestions/new")
    assert '<option value="锦城花园北门">' in page.text
    r = await client.post("/suggestions/new", data={
        "_csrf_token": token, "channel": "visit", "community": str(places["communities"][0]),
        "category": str(await _cat("养老")), "content": "独居老人希望有人定期上门看看。", "spot": "锦城花园 2 期"})
    assert r.status_code in (302, 303), r.text
    page = await client.get(r.headers["location"])
    assert '<dd id="spot">锦城花园 2 期</dd>' in f.unmarked(page.text)
