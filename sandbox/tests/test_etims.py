"""KRA eTIMS OSCU: initialization, headers, reference data, items, sales sequencing, purchases, imports, stock."""

import json
import time
import urllib.error
import urllib.request

import pytest

# the request of KRA's specification, verbatim (docs/providers/etims.md)
INIT_REQUEST = {"tin": "A123456789Z", "bhfId": "00", "dvcSrlNo": "dvcv1130"}


def call(client, endpoint, body, headers=None):
    reply = client.post(f"/etims-api/{endpoint}", json_body=body, headers=headers)
    assert reply.status == 200, reply.body
    return reply.json()


@pytest.fixture
def device(client):
    answer = call(client, "selectInitOsdcInfo", INIT_REQUEST)
    info = answer["data"]["info"]
    return {"tin": info["tin"], "bhfId": info["bhfId"], "cmcKey": info["cmcKey"]}


def item(code="KE2NTU0000001", tax_type="B"):
    return {"itemCd": code, "itemClsCd": "5020230100", "itemTyCd": "2", "itemNm": "Mango juice", "orgnNatCd": "KE",
            "pkgUnitCd": "NT", "qtyUnitCd": "U", "taxTyCd": tax_type, "bcd": None, "dftPrc": 116, "isrcAplcbYn": "N",
            "useYn": "Y", "regrId": "admin", "regrNm": "Admin", "modrId": "admin", "modrNm": "Admin"}


def sale(number, total=116, tax=16, tax_type="B", receipt_type="S", original=0, item_code="KE2NTU0000001", **extra):
    taxes = {f"{kind}{letter}": 0 for kind in ("taxblAmt", "taxAmt", "taxRt") for letter in "ABCDE"}
    taxes.update({f"taxblAmt{tax_type}": total, f"taxAmt{tax_type}": tax})
    return {
        "trdInvcNo": f"INV/{number}", "invcNo": number, "orgInvcNo": original, "custTin": "P051365947M",
        "custNm": "Savannah Supplies Ltd", "salesTyCd": "N", "rcptTyCd": receipt_type, "pmtTyCd": "01",
        "salesSttsCd": "02", "cfmDt": "20240301120000", "salesDt": "20240301", "totItemCnt": 1, **taxes,
        "totTaxblAmt": total, "totTaxAmt": tax, "totAmt": total, "prchrAcptcYn": "N",
        "itemList": [{"itemSeq": 1, "itemCd": item_code, "itemClsCd": "5020230100", "itemNm": "Mango juice",
                      "pkgUnitCd": "NT", "pkg": 1, "qtyUnitCd": "U", "qty": 1, "prc": total, "splyAmt": total,
                      "dcRt": 0, "dcAmt": 0, "taxTyCd": tax_type, "taxblAmt": total, "taxAmt": tax, "totAmt": total}],
        **extra,
    }


def test_initialization_returns_the_key_once(client):
    answer = call(client, "selectInitOsdcInfo", INIT_REQUEST)
    assert answer["resultCd"] == "000"
    assert len(answer["resultDt"]) == 14
    info = answer["data"]["info"]
    assert (info["tin"], info["bhfId"]) == ("A123456789Z", "00")
    assert len(info["cmcKey"]) == 32
    assert info["sdcId"].startswith("KRACU") and info["mrcNo"]
    again = call(client, "selectInitOsdcInfo", INIT_REQUEST)
    assert (again["resultCd"], again["data"]) == ("902", None)
    state = client.get("/_sandbox/state").json()["etims"]
    assert "cmcKey" not in state["devices"]["A123456789Z/00"]


def test_calls_need_the_device_headers(client, device):
    assert call(client, "selectCodeList", {"lastReqDt": "20180101000000"})["resultCd"] == "900"
    forged = dict(device, cmcKey="0" * 32)
    assert call(client, "selectCodeList", {"lastReqDt": "20180101000000"}, headers=forged)["resultCd"] == "901"
    assert call(client, "selectCodeList", {"lastReqDt": "20180101000000"}, headers=device)["resultCd"] == "000"
    missing = call(client, "saveItem", {"itemCd": "X"}, headers=device)
    assert missing["resultCd"] == "910" and "itemClsCd" in missing["resultMsg"]
    not_json = client.post("/etims-api/saveItem", data=b"not json", headers=device).json()
    assert not_json["resultCd"] == "911"
    assert client.post("/etims-api/selectNothing", json_body={}, headers=device).status == 404


def test_reference_data_answers_001_when_nothing_changed(client, device):
    codes = call(client, "selectCodeList", {"lastReqDt": "20180101000000"}, headers=device)["data"]["clsList"]
    tax_types = next(cls for cls in codes if cls["cdCls"] == "04")["dtlList"]
    assert {code["cd"]: code["userDfnCd1"] for code in tax_types} == {"A": "0", "B": "16", "C": "0", "D": "0", "E": "8"}
    classes = call(client, "selectItemClsList", {"lastReqDt": "20180101000000"}, headers=device)["data"]
    assert all(len(cls["itemClsCd"]) == 10 for cls in classes["itemClsList"])
    for endpoint in ("selectCodeList", "selectItemClsList", "selectNoticeList", "selectBhfList"):
        assert call(client, endpoint, {"lastReqDt": "20991231000000"}, headers=device)["resultCd"] == "001"
    branches = call(client, "selectBhfList", {"lastReqDt": "20180101000000"}, headers=device)["data"]["bhfList"]
    assert [(branch["bhfId"], branch["hqYn"]) for branch in branches] == [("00", "Y")]
    bad_date = call(client, "selectNoticeList", {"lastReqDt": "yesterday"}, headers=device)
    assert bad_date["resultCd"] == "910"


def test_sales_are_consecutive_per_branch(client, device):
    assert call(client, "saveItem", item(), headers=device)["resultCd"] == "000"
    first = call(client, "saveTrnsSalesOsdc", sale(1), headers=device)
    assert first["resultCd"] == "000"
    assert set(first["data"]) == {"curRcptNo", "totRcptNo", "intrlData", "rcptSign", "sdcDateTime"}
    receipt = first["data"]
    assert (receipt["curRcptNo"], len(receipt["intrlData"]), len(receipt["rcptSign"])) == ("1", 26, 16)
    gap = call(client, "saveTrnsSalesOsdc", sale(3), headers=device)
    assert gap["resultCd"] == "910" and "expected 2" in gap["resultMsg"]
    duplicate = call(client, "saveTrnsSalesOsdc", sale(1), headers=device)
    assert (duplicate["resultCd"], duplicate["data"]) == ("994", None)
    as_strings = sale("2", total="232.00", tax="32.00")
    as_strings["itemList"][0].update(qty="2", prc="116", splyAmt="232", taxblAmt="232.00", taxAmt="32", totAmt="232")
    second = call(client, "saveTrnsSalesOsdc", as_strings, headers=device)
    assert (second["resultCd"], second["data"]["totRcptNo"]) == ("000", "2"), second
    state = client.get("/_sandbox/state").json()["etims"]["sales"]["A123456789Z/00"]
    assert state == {"count": 2, "last_invcNo": 2, "invcNos": [1, 2]}


def test_sales_are_validated(client, device):
    unregistered = call(client, "saveTrnsSalesOsdc", sale(1), headers=device)
    assert unregistered["resultCd"] == "910" and "not registered" in unregistered["resultMsg"]
    call(client, "saveItem", item(), headers=device)
    wrong_total = sale(1)
    wrong_total["totAmt"] = 117
    assert "totAmt" in call(client, "saveTrnsSalesOsdc", wrong_total, headers=device)["resultMsg"]
    wrong_type_total = sale(1)
    wrong_type_total["taxAmtB"] = 15
    assert "taxAmtB" in call(client, "saveTrnsSalesOsdc", wrong_type_total, headers=device)["resultMsg"]
    for dates in ({"salesDt": "2024-03-01"}, {"salesDt": "20240301120000"}, {"cfmDt": "20240301"},
                  {"cfmDt": 20240301120000}, {"cfmDt": "20241301120000"}):
        wrong_date = call(client, "saveTrnsSalesOsdc", sale(1, **dates), headers=device)
        assert wrong_date["resultCd"] == "910" and next(iter(dates)) in wrong_date["resultMsg"], dates
    assert call(client, "saveTrnsSalesOsdc", sale(1), headers=device)["resultCd"] == "000"


def test_credit_note_refers_to_a_sale(client, device):
    call(client, "saveItem", item(), headers=device)
    call(client, "saveTrnsSalesOsdc", sale(1), headers=device)
    no_reason = call(client, "saveTrnsSalesOsdc", sale(2, receipt_type="R", original=1), headers=device)
    assert no_reason["resultCd"] == "910" and "rfdRsnCd" in no_reason["resultMsg"]
    unknown = call(client, "saveTrnsSalesOsdc", sale(2, receipt_type="R", original=9, rfdRsnCd="06"), headers=device)
    assert "orgInvcNo 9" in unknown["resultMsg"]
    refund = call(client, "saveTrnsSalesOsdc", sale(2, receipt_type="R", original=1, rfdRsnCd="06"), headers=device)
    assert (refund["resultCd"], refund["data"]["curRcptNo"], refund["data"]["totRcptNo"]) == ("000", "1", "2")


def test_rules_script_result_codes_and_lost_answers(client, device):
    call(client, "saveItem", item(), headers=device)
    client.add_rule(path="/etims-api/saveTrnsSalesOsdc", result={"resultCd": "921"})
    assert call(client, "saveTrnsSalesOsdc", sale(1), headers=device)["resultCd"] == "921"
    # the answer is lost (client timeout) but KRA stored the sale: the retry answers 994
    client.add_rule(path="/etims-api/saveTrnsSalesOsdc", delay_ms=1500)
    request = urllib.request.Request(
        client.base_url + "/etims-api/saveTrnsSalesOsdc", data=json.dumps(sale(1)).encode(), method="POST",
        headers={"Content-Type": "application/json", **device},
    )
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        urllib.request.urlopen(request, timeout=0.3)
    for _attempt in range(50):  # the delayed handler still runs after the client gave up
        if client.get("/_sandbox/state").json()["etims"]["sales"]:
            break
        time.sleep(0.1)
    assert call(client, "saveTrnsSalesOsdc", sale(1), headers=device)["resultCd"] == "994"


def test_supplier_invoices_and_purchase_confirmation(client, device):
    purchases = call(client, "selectTrnsPurchaseSalesList", {"lastReqDt": "20180101000000"}, headers=device)
    [sample] = purchases["data"]["saleList"]
    assert (sample["spplrTin"], sample["spplrInvcNo"], sample["totAmt"]) == ("P051365947M", 77, 12140)
    seller = call(client, "selectInitOsdcInfo", {"tin": "P051365947M", "bhfId": "00", "dvcSrlNo": "seller"})["data"]
    seller_headers = {"tin": "P051365947M", "bhfId": "00", "cmcKey": seller["info"]["cmcKey"]}
    call(client, "saveItem", item(), headers=seller_headers)
    call(client, "saveTrnsSalesOsdc", sale(1, custTin="A123456789Z"), headers=seller_headers)
    latest = call(client, "selectTrnsPurchaseSalesList", {"lastReqDt": "20240201000000"}, headers=device)
    [bought] = latest["data"]["saleList"]
    assert (bought["spplrTin"], bought["spplrInvcNo"], bought["totAmt"]) == ("P051365947M", 1, 116)
    confirmation = {
        "invcNo": 1, "orgInvcNo": 0, "spplrTin": "P051365947M", "spplrBhfId": "00", "spplrNm": "Savannah",
        "spplrInvcNo": 77, "regTyCd": "A", "pchsTyCd": "N", "rcptTyCd": "P", "pmtTyCd": "01", "pchsSttsCd": "02",
        "cfmDt": "20240106120000", "pchsDt": "20240105", "totItemCnt": 2, "totTaxblAmt": 12140, "totTaxAmt": 1640,
        "totAmt": 12140, "itemList": sample["itemList"],
    }
    assert call(client, "insertTrnsPurchase", confirmation, headers=device)["resultCd"] == "000"
    assert call(client, "insertTrnsPurchase", confirmation, headers=device)["resultCd"] == "994"


def test_import_items_are_approved_or_rejected(client, device):
    items = call(client, "selectImportItemList", {"lastReqDt": "20180101000000"}, headers=device)["data"]["itemList"]
    assert [(entry["taskCd"], entry["itemSeq"], entry["imptItemsttsCd"]) for entry in items] == [
        ("2239078", 1, "2"), ("2239078", 2, "2")]
    approve = {"taskCd": "2239078", "dclDe": "10012024", "itemSeq": 1, "hsCd": "1231531231",
               "itemClsCd": "4321150100", "itemCd": "KE1CTU0000003", "imptItemSttsCd": "3"}
    assert call(client, "updateImportItem", approve, headers=device)["resultCd"] == "000"
    reject = {"taskCd": "2239078", "dclDe": "10012024", "itemSeq": 2, "imptItemSttsCd": "4"}
    assert call(client, "updateImportItem", reject, headers=device)["resultCd"] == "000"
    unknown = dict(reject, itemSeq=9)
    assert call(client, "updateImportItem", unknown, headers=device)["resultCd"] == "910"
    listed = call(client, "selectImportItemList", {"lastReqDt": "20180101000000"}, headers=device)["data"]
    statuses = [entry["imptItemsttsCd"] for entry in listed["itemList"]]
    assert statuses == ["3", "4"]
    assert call(client, "selectImportItemList", {"lastReqDt": "20240110000000"}, headers=device)["resultCd"] == "001"


def test_stock_movements_and_master(client, device):
    movement = {"sarNo": 1, "orgSarNo": 0, "regTyCd": "M", "custTin": None, "custNm": None, "custBhfId": None,
                "sarTyCd": "11", "ocrnDt": "20240301", "totItemCnt": 1, "totTaxblAmt": 116, "totTaxAmt": 16,
                "totAmt": 116, "remark": None, "itemList": sale(1)["itemList"]}
    wrong_date = call(client, "insertStockIO", dict(movement, ocrnDt="01032024120000"), headers=device)
    assert wrong_date["resultCd"] == "910" and "ocrnDt must be yyyyMMdd" in wrong_date["resultMsg"]
    assert call(client, "insertStockIO", movement, headers=device)["resultCd"] == "000"
    assert call(client, "insertStockIO", movement, headers=device)["resultCd"] == "994"
    remaining = {"itemCd": "KE2NTU0000001", "rsdQty": "9"}
    assert call(client, "saveStockMaster", remaining, headers=device)["resultCd"] == "000"
    state = client.get("/_sandbox/state").json()["etims"]
    assert state["stock_io"] == {"A123456789Z/00": [1]}
    assert state["stock_master"] == {"A123456789Z/00": {"KE2NTU0000001": 9.0}}
