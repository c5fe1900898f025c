"""KRA eTIMS OSCU: device initialization, reference data, items, sales, purchases, imports and stock.

Every call is ``POST /etims-api/<endpoint>`` with a JSON body and answers HTTP 200 with KRA's envelope
``{"resultCd", "resultMsg", "resultDt", "data"}`` (see docs/providers/etims.md). What the real service
enforces and the addon must cope with is enforced here too:

- after ``selectInitOsdcInfo`` every call needs the headers ``tin``, ``bhfId`` and ``cmcKey`` (900/901);
- a second initialization of the same branch answers 902 (the key cannot be fetched again);
- sales invoice numbers are consecutive per branch: a gap is refused (910) and a number already
  received answers 994, which on a retry means the first submission got through;
- reference lists answer 001 when nothing changed since ``lastReqDt``.

A rule ``result`` scripts KRA's answer: ``{"resultCd": "999", "resultMsg": "..."}`` answers that
code without processing the request. Outages and latency are the simulator's generic rules (a
``delay_ms`` longer than the client's timeout stores the sale but loses the answer, as in real life).
"""

import secrets
import string
import threading
from datetime import datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation

from ..core import Plugin, Response

NAIROBI = timezone(timedelta(hours=3))
EPOCH = "20180101000000"
REFERENCE_DATA_DATE = "20240101000000"  # when the seeded code lists, classifications and notices "changed"
TAX_TYPES = "ABCDE"
TAX_RATES = {"A": "0", "B": "16", "C": "0", "D": "0", "E": "8"}
CENT = Decimal("0.01")

MESSAGES = {
    "000": "It is succeeded",
    "001": "There is no search result",
    "900": "There is no Header information",
    "901": "It is not valid device",
    "902": "This device is installed",
    "910": "Request parameter error",
    "911": "There is no request full text",
    "994": "It is overlapped data",
    "999": "An unknown error occurred",
}

CODE_CLASSES = [
    ("04", "Taxation Type", [("A", "A-Exempt", "0"), ("B", "B-16.00%", "16"), ("C", "C-0%", "0"),
                             ("D", "D-Non-VAT", "0"), ("E", "E-8%", "8")]),
    ("07", "Payment Type", [("01", "CASH", None), ("02", "CREDIT", None), ("03", "CASH/CREDIT", None),
                            ("04", "BANK CHECK", None), ("05", "DEBIT&CREDIT CARD", None),
                            ("06", "MOBILE MONEY", None), ("07", "OTHER", None)]),
    ("10", "Quantity Unit", [("U", "Pieces/item [Number]", None), ("KG", "Kilo-Gramme", None),
                             ("L", "Litre", None), ("DZ", "Dozen", None), ("GRM", "Gram", None),
                             ("MTR", "Metre", None), ("BA", "Barrel", None)]),
    ("17", "Packing Unit", [("NT", "NET", None), ("BG", "Bag", None), ("BX", "Box", None),
                            ("CT", "Carton", None), ("BA", "Barrel", None)]),
    ("24", "Item Type", [("1", "Raw Material", None), ("2", "Finished Product", None), ("3", "Service", None)]),
    ("32", "Refund Reason", [("01", "Missing Quantity", None), ("02", "Missing Data", None),
                             ("03", "Damaged", None), ("04", "Wasted", None),
                             ("05", "Raw Material Shortage", None), ("06", "Refund", None)]),
]

ITEM_CLASSIFICATIONS = [
    ("5020230100", "Fruit juices", "4", "B"),
    ("5022110100", "Beer", "4", "B"),
    ("4321150100", "Notebook computers", "4", "B"),
    ("8111150000", "Software programming services", "4", "B"),
    ("5010150100", "Maize", "4", "A"),
    ("1010150100", "Cattle", "4", "D"),
]

NOTICES = [
    {"noticeNo": 1, "title": "eTIMS OSCU maintenance", "cont": "The OSCU service will be unavailable on Sunday "
     "from 01:00 to 03:00 EAT.", "dtlUrl": "https://etims.kra.go.ke/notice/1", "regrNm": "KRA",
     "regDt": "20240101000000"},
]

SAMPLE_PURCHASE = {
    "spplrTin": "P051365947M", "spplrNm": "Savannah Supplies Ltd", "spplrBhfId": "00", "spplrInvcNo": 77,
    "spplrSdcId": "KRACU0100000009", "spplrMrcNo": "WIS00000009", "rcptTyCd": "S", "pmtTyCd": "01",
    "cfmDt": "20240105103000", "salesDt": "20240105", "stockRlsDt": None, "totItemCnt": 2,
    "taxblAmtA": 0, "taxblAmtB": 11600, "taxblAmtC": 0, "taxblAmtD": 0, "taxblAmtE": 540,
    "taxRtA": 0, "taxRtB": 16, "taxRtC": 0, "taxRtD": 0, "taxRtE": 8,
    "taxAmtA": 0, "taxAmtB": 1600, "taxAmtC": 0, "taxAmtD": 0, "taxAmtE": 40,
    "totTaxblAmt": 12140, "totTaxAmt": 1640, "totAmt": 12140, "remark": None,
    "itemList": [
        {"itemSeq": 1, "itemCd": "KE1NTU0000001", "itemClsCd": "5020230100", "itemNm": "Mango juice 1L",
         "bcd": None, "pkgUnitCd": "NT", "pkg": 10, "qtyUnitCd": "U", "qty": 10, "prc": 1160, "splyAmt": 11600,
         "dcRt": 0, "dcAmt": 0, "taxTyCd": "B", "taxblAmt": 11600, "taxAmt": 1600, "totAmt": 11600},
        {"itemSeq": 2, "itemCd": "KE1NTKG0000002", "itemClsCd": "5010150100", "itemNm": "Sugar 1kg",
         "bcd": None, "pkgUnitCd": "NT", "pkg": 2, "qtyUnitCd": "KG", "qty": 2, "prc": 270, "splyAmt": 540,
         "dcRt": 0, "dcAmt": 0, "taxTyCd": "E", "taxblAmt": 540, "taxAmt": 40, "totAmt": 540},
    ],
}

# customs declaration dates (dclDe) are ddMMyyyy
SAMPLE_IMPORT_ITEMS = [
    {"taskCd": "2239078", "dclDe": "10012024", "itemSeq": 1, "dclNo": "C3460-2019-TZDL", "hsCd": "1231531231",
     "itemNm": "Laptop computers", "imptItemsttsCd": "2", "orgnNatCd": "CN", "exptNatCd": "CN", "pkg": 2,
     "pkgUnitCd": "CT", "qty": 20, "qtyUnitCd": "U", "totWt": 40, "netWt": 36, "spplrNm": "Shenzhen Tech Co",
     "agntNm": "Swift Clearing Agents", "invcFcurAmt": 8000, "invcFcurCd": "USD", "invcFcurExcrt": 130.5},
    {"taskCd": "2239078", "dclDe": "10012024", "itemSeq": 2, "dclNo": "C3460-2019-TZDL", "hsCd": "8471300000",
     "itemNm": "Laptop bags", "imptItemsttsCd": "2", "orgnNatCd": "CN", "exptNatCd": "CN", "pkg": 1,
     "pkgUnitCd": "CT", "qty": 20, "qtyUnitCd": "U", "totWt": 10, "netWt": 9, "spplrNm": "Shenzhen Tech Co",
     "agntNm": "Swift Clearing Agents", "invcFcurAmt": 400, "invcFcurCd": "USD", "invcFcurExcrt": 130.5},
]


def now_kra():
    return datetime.now(NAIROBI).strftime("%Y%m%d%H%M%S")


def random_code(length, alphabet=string.ascii_uppercase + string.digits):
    return "".join(secrets.choice(alphabet) for _ in range(length))


def amount(value, field):
    """KRA amounts arrive as numbers or strings; anything else is a parameter error."""
    try:
        return Decimal(str(value if value is not None else 0))
    except InvalidOperation as exc:
        raise KraError("910", f"{field} is not a number: {value!r}") from exc


class KraError(Exception):
    """Answered as KRA's envelope with this result code (HTTP 200, as the real service does)."""

    def __init__(self, code, message=None):
        super().__init__(message or MESSAGES.get(code, ""))
        self.code = code
        self.message = message or MESSAGES.get(code, "")


class EtimsPlugin(Plugin):
    name = "etims"

    def __init__(self):
        self._lock = threading.Lock()
        self._clear()

    def routes(self):
        return [(("POST",), "/etims-api/{endpoint}", self.dispatch)]

    def reset(self):
        with self._lock:
            self._clear()

    def _clear(self):
        """Forget everything (called under the lock, or before the plugin serves)."""
        self._devices = {}  # (tin, bhfId) -> {dvcSrlNo, cmcKey, sdcId, mrcNo, ...}
        self._sales = {}  # (tin, bhfId) -> {invcNo: sale}
        self._receipt_counters = {}  # (tin, bhfId) -> {"S": n, "R": n, "total": n}
        self._items = {}  # tin -> {itemCd: item}
        self._customers = {}  # (tin, bhfId) -> {custTin: customer}
        self._purchases = {}  # (tin, bhfId) -> {(spplrTin, spplrBhfId, spplrInvcNo): purchase confirmation}
        self._imports = {}  # (tin, bhfId) -> {(taskCd, itemSeq): status}
        self._stock_io = {}  # (tin, bhfId) -> {sarNo: stock movement}
        self._stock_master = {}  # (tin, bhfId) -> {itemCd: rsdQty}

    def state(self):
        with self._lock:
            return {
                "devices": {f"{tin}/{bhf}": {k: v for k, v in device.items() if k != "cmcKey"}
                            for (tin, bhf), device in self._devices.items()},
                "sales": {f"{tin}/{bhf}": {"count": len(sales), "last_invcNo": max(sales, default=0),
                                           "invcNos": sorted(sales)}
                          for (tin, bhf), sales in self._sales.items()},
                "items": {tin: sorted(items) for tin, items in self._items.items()},
                "customers": {f"{tin}/{bhf}": sorted(customers) for (tin, bhf), customers in self._customers.items()},
                "purchases": {f"{tin}/{bhf}": [list(key) for key in purchases]
                              for (tin, bhf), purchases in self._purchases.items()},
                "imports": {f"{tin}/{bhf}": {f"{task}/{seq}": status for (task, seq), status in imports.items()}
                            for (tin, bhf), imports in self._imports.items()},
                "stock_io": {f"{tin}/{bhf}": sorted(moves) for (tin, bhf), moves in self._stock_io.items()},
                "stock_master": {f"{tin}/{bhf}": dict(stock) for (tin, bhf), stock in self._stock_master.items()},
            }

    # ------------------------------------------------------------------
    # Envelope and dispatch
    # ------------------------------------------------------------------

    @staticmethod
    def envelope(code="000", data=None, message=None):
        return Response.json({"resultCd": code, "resultMsg": message or MESSAGES.get(code, ""),
                              "resultDt": now_kra(), "data": data})

    def dispatch(self, request, ctx):
        handler = getattr(self, f"do_{request.path_params['endpoint']}", None)
        if handler is None:
            return Response.json({"error": f"unknown eTIMS endpoint {request.path_params['endpoint']}"}, 404)
        if ctx.result.get("resultCd"):
            return self.envelope(ctx.result["resultCd"], ctx.result.get("data"), ctx.result.get("resultMsg"))
        body = request.json_or_none()
        if not isinstance(body, dict):
            return self.envelope("911")
        try:
            if handler == self.do_selectInitOsdcInfo:
                return handler(body, ctx)
            return handler(body, self._authenticate(request), ctx)
        except KraError as error:
            return self.envelope(error.code, message=error.message)

    def _authenticate(self, request):
        tin, bhf_id, key = (request.headers.get(name) for name in ("tin", "bhfId", "cmcKey"))
        if not (tin and bhf_id and key):
            raise KraError("900")
        with self._lock:
            device = self._devices.get((tin, bhf_id))
        if not device or not secrets.compare_digest(device["cmcKey"], key):
            raise KraError("901")
        return (tin, bhf_id)

    @staticmethod
    def _require(body, *names):
        missing = [name for name in names if body.get(name) in (None, "")]
        if missing:
            raise KraError("910", f"Request parameter error: {', '.join(missing)} is required")

    @staticmethod
    def _check_dates(body, dates=(), datetimes=()):
        """KRA's dates are ``yyyyMMdd`` and its date-times ``yyyyMMddHHmmss`` strings (optional ones may be null)."""
        for names, date_format, label in ((dates, "%Y%m%d", "yyyyMMdd"), (datetimes, "%Y%m%d%H%M%S", "yyyyMMddHHmmss")):
            for name in names:
                value = body.get(name)
                if value in (None, ""):
                    continue
                try:
                    valid = isinstance(value, str) and len(value) == len(label) and bool(
                        datetime.strptime(value, date_format))
                except ValueError:
                    valid = False
                if not valid:
                    raise KraError("910", f"Request parameter error: {name} must be {label}, not {value!r}")

    @staticmethod
    def _since(body):
        last = str(body.get("lastReqDt") or EPOCH)
        if len(last) != 14 or not last.isdigit():
            raise KraError("910", "Request parameter error: lastReqDt must be yyyyMMddHHmmss")
        return last

    # ------------------------------------------------------------------
    # Device
    # ------------------------------------------------------------------

    def do_selectInitOsdcInfo(self, body, ctx):
        self._require(body, "tin", "bhfId", "dvcSrlNo")
        key = (body["tin"], body["bhfId"])
        with self._lock:
            if key in self._devices:
                raise KraError("902")
            sequence = len(self._devices) + 1
            device = {
                "dvcSrlNo": body["dvcSrlNo"],
                "dvcId": f"99999{sequence:011d}",
                "sdcId": f"KRACU0{sequence:08d}",
                "mrcNo": f"WIS0{sequence:07d}",
                "cmcKey": secrets.token_hex(16),
            }
            self._devices[key] = device
        return self.envelope(data={"info": {
            "tin": body["tin"], "taxprNm": f"Taxpayer {body['tin']}", "bsnsActv": "business",
            "bhfId": body["bhfId"], "bhfNm": "Headquarter" if body["bhfId"] == "00" else f"Branch {body['bhfId']}",
            "bhfOpenDt": "20200226", "prvncNm": "NAIROBI CITY", "dstrtNm": "WESTLANDS", "sctrNm": "WON",
            "locDesc": "Westlands Towers", "hqYn": "Y" if body["bhfId"] == "00" else "N", "mgrNm": "Manager",
            "mgrTelNo": "0789001130", "mgrEmail": "manager@example.com", "dvcId": device["dvcId"],
            "sdcId": device["sdcId"], "mrcNo": device["mrcNo"], "cmcKey": device["cmcKey"],
        }})

    # ------------------------------------------------------------------
    # Reference data
    # ------------------------------------------------------------------

    def _changed_since(self, body, data):
        return self.envelope(data=data) if self._since(body) < REFERENCE_DATA_DATE else self.envelope("001")

    def do_selectCodeList(self, body, branch, ctx):
        return self._changed_since(body, {"clsList": [
            {"cdCls": cls, "cdClsNm": name, "cdClsDesc": None, "useYn": "Y",
             "userDfnNm1": "Rate" if cls == "04" else None,
             "dtlList": [{"cd": code, "cdNm": code_name, "cdDesc": code_name, "useYn": "Y", "srtOrd": order,
                          "userDfnCd1": extra, "userDfnCd2": None, "userDfnCd3": None}
                         for order, (code, code_name, extra) in enumerate(codes, 1)]}
            for cls, name, codes in CODE_CLASSES
        ]})

    def do_selectItemClsList(self, body, branch, ctx):
        return self._changed_since(body, {"itemClsList": [
            {"itemClsCd": code, "itemClsNm": name, "itemClsLvl": int(level), "taxTyCd": tax_type, "mjrTgYn": "N",
             "useYn": "Y"} for code, name, level, tax_type in ITEM_CLASSIFICATIONS
        ]})

    def do_selectBhfList(self, body, branch, ctx):
        tin = branch[0]
        with self._lock:
            branch_ids = sorted({bhf for (device_tin, bhf) in self._devices if device_tin == tin} | {"00"})
        return self._changed_since(body, {"bhfList": [
            {"tin": tin, "bhfId": bhf, "bhfNm": "Headquarter" if bhf == "00" else f"Branch {bhf}", "bhfSttsCd": "01",
             "prvncNm": "NAIROBI CITY", "dstrtNm": "WESTLANDS", "sctrNm": "WON", "locDesc": "Westlands Towers",
             "mgrNm": "Manager", "mgrTelNo": "0789001130", "mgrEmail": "manager@example.com",
             "hqYn": "Y" if bhf == "00" else "N"} for bhf in branch_ids
        ]})

    def do_selectNoticeList(self, body, branch, ctx):
        return self._changed_since(body, {"noticeList": NOTICES})

    def do_selectCustomer(self, body, branch, ctx):
        self._require(body, "custmTin")
        customer_tin = body["custmTin"]
        if customer_tin.startswith("P000000000"):
            return self.envelope("001")
        return self.envelope(data={"custList": [{
            "tin": customer_tin, "taxprNm": f"Taxpayer {customer_tin}", "taxprSttsCd": "A", "prvncNm": "NAIROBI CITY",
            "dstrtNm": "WESTLANDS", "sctrNm": "WON", "locDesc": None,
        }]})

    def do_saveBhfCustomer(self, body, branch, ctx):
        self._require(body, "custNo", "custTin", "custNm", "useYn")
        with self._lock:
            self._customers.setdefault(branch, {})[body["custTin"]] = dict(body)
        return self.envelope()

    # ------------------------------------------------------------------
    # Items
    # ------------------------------------------------------------------

    def do_saveItem(self, body, branch, ctx):
        self._require(body, "itemCd", "itemClsCd", "itemTyCd", "itemNm", "orgnNatCd", "pkgUnitCd", "qtyUnitCd",
                      "taxTyCd", "isrcAplcbYn", "useYn")
        if body["taxTyCd"] not in TAX_TYPES:
            raise KraError("910", f"Request parameter error: taxTyCd {body['taxTyCd']!r} is not A-E")
        if str(body["itemTyCd"]) not in ("1", "2", "3"):
            raise KraError("910", "Request parameter error: itemTyCd must be 1, 2 or 3")
        with self._lock:
            self._items.setdefault(branch[0], {})[body["itemCd"]] = dict(body)
        return self.envelope()

    def do_saveItemComposition(self, body, branch, ctx):
        self._require(body, "itemCd", "cpstItemCd", "cpstQty")
        return self.envelope()

    # ------------------------------------------------------------------
    # Sales
    # ------------------------------------------------------------------

    def do_saveTrnsSalesOsdc(self, body, branch, ctx):
        self._require(body, "trdInvcNo", "invcNo", "rcptTyCd", "salesTyCd", "pmtTyCd", "salesSttsCd", "cfmDt",
                      "salesDt", "totItemCnt", "itemList")
        try:
            number = int(body["invcNo"])
            original = int(body.get("orgInvcNo") or 0)
        except (TypeError, ValueError) as exc:
            raise KraError("910", "Request parameter error: invcNo and orgInvcNo are integers") from exc
        self._check_dates(body, dates=("salesDt",), datetimes=("cfmDt", "rfdDt"))
        if body["rcptTyCd"] not in ("S", "R"):
            raise KraError("910", "Request parameter error: rcptTyCd must be S or R")
        self._check_sale_amounts(body, branch)
        with self._lock:
            sales = self._sales.setdefault(branch, {})
            if number in sales:
                raise KraError("994")
            expected = max(sales, default=0) + 1
            if number != expected:
                raise KraError("910", f"Request parameter error: invcNo {number} is not the next invoice number "
                                      f"of branch {branch[1]} (expected {expected})")
            if body["rcptTyCd"] == "R":
                if original not in sales or sales[original]["rcptTyCd"] != "S":
                    raise KraError("910", f"Request parameter error: orgInvcNo {original} is not a sale of this branch")
                if not body.get("rfdRsnCd"):
                    raise KraError("910", "Request parameter error: rfdRsnCd is required for a credit note")
            counters = self._receipt_counters.setdefault(branch, {"S": 0, "R": 0, "total": 0})
            counters[body["rcptTyCd"]] += 1
            counters["total"] += 1
            device = self._devices[branch]
            receipt = {
                "curRcptNo": str(counters[body["rcptTyCd"]]),
                "totRcptNo": str(counters["total"]),
                "intrlData": random_code(26),
                "rcptSign": random_code(16),
                "sdcDateTime": now_kra(),
            }
            sales[number] = dict(body, receipt=receipt, sdcId=device["sdcId"], mrcNo=device["mrcNo"],
                                 registeredAt=now_kra())
        return self.envelope(data=receipt)

    def _check_sale_amounts(self, body, branch):
        items = body["itemList"]
        if not isinstance(items, list) or not items:
            raise KraError("910", "Request parameter error: itemList is empty")
        if int(body["totItemCnt"]) != len(items):
            raise KraError("910", "Request parameter error: totItemCnt does not match itemList")
        with self._lock:
            registered = set(self._items.get(branch[0], {}))
        totals = {f"{kind}{tax_type}": Decimal(0) for kind in ("taxblAmt", "taxAmt") for tax_type in TAX_TYPES}
        grand_total = Decimal(0)
        for item in items:
            if item.get("itemCd") not in registered:
                raise KraError("910", f"Request parameter error: item {item.get('itemCd')} is not registered")
            tax_type = item.get("taxTyCd")
            if tax_type not in TAX_TYPES:
                raise KraError("910", f"Request parameter error: taxTyCd {tax_type!r} is not A-E")
            totals[f"taxblAmt{tax_type}"] += amount(item.get("taxblAmt"), "taxblAmt")
            totals[f"taxAmt{tax_type}"] += amount(item.get("taxAmt"), "taxAmt")
            grand_total += amount(item.get("totAmt"), "totAmt")
        for name, total in totals.items():
            if abs(amount(body.get(name), name) - total) > CENT:
                raise KraError("910", f"Request parameter error: {name} is not the sum of the items ({total})")
        checks = (
            ("totTaxblAmt", sum(value for name, value in totals.items() if name.startswith("taxblAmt"))),
            ("totTaxAmt", sum(value for name, value in totals.items() if name.startswith("taxAmt"))),
            ("totAmt", grand_total),
        )
        for name, total in checks:
            if abs(amount(body.get(name), name) - total) > CENT:
                raise KraError("910", f"Request parameter error: {name} is not the sum of the items ({total})")

    # ------------------------------------------------------------------
    # Purchases
    # ------------------------------------------------------------------

    def do_selectTrnsPurchaseSalesList(self, body, branch, ctx):
        since = self._since(body)
        tin = branch[0]
        sales = [dict(SAMPLE_PURCHASE, registeredAt="20240105103000")]
        with self._lock:
            for (seller_tin, seller_bhf), branch_sales in self._sales.items():
                for number, sale in branch_sales.items():
                    if sale.get("custTin") == tin and seller_tin != tin:
                        sales.append(self._as_purchase(seller_tin, seller_bhf, number, sale))
        found = [{key: value for key, value in sale.items() if key != "registeredAt"}
                 for sale in sales if sale["registeredAt"] > since]
        return self.envelope(data={"saleList": found}) if found else self.envelope("001")

    def _as_purchase(self, seller_tin, seller_bhf, number, sale):
        fields = ("rcptTyCd", "pmtTyCd", "cfmDt", "salesDt", "totItemCnt", "totTaxblAmt", "totTaxAmt", "totAmt",
                  "remark", "itemList", "registeredAt", *(f"{kind}{tax}" for kind in ("taxblAmt", "taxRt", "taxAmt")
                                                          for tax in TAX_TYPES))
        return {
            "spplrTin": seller_tin, "spplrNm": f"Taxpayer {seller_tin}", "spplrBhfId": seller_bhf,
            "spplrInvcNo": number, "spplrSdcId": sale["sdcId"], "spplrMrcNo": sale["mrcNo"], "stockRlsDt": None,
            **{name: sale.get(name) for name in fields},
        }

    def do_insertTrnsPurchase(self, body, branch, ctx):
        self._require(body, "invcNo", "spplrTin", "regTyCd", "pchsTyCd", "rcptTyCd", "pchsSttsCd", "pchsDt",
                      "totItemCnt", "itemList")
        self._check_dates(body, dates=("pchsDt",), datetimes=("cfmDt",))
        key = (body["spplrTin"], body.get("spplrBhfId") or "00", str(body.get("spplrInvcNo") or body["invcNo"]))
        with self._lock:
            purchases = self._purchases.setdefault(branch, {})
            if key in purchases or any(int(p["invcNo"]) == int(body["invcNo"]) for p in purchases.values()):
                raise KraError("994")
            purchases[key] = dict(body)
        return self.envelope()

    # ------------------------------------------------------------------
    # Imports
    # ------------------------------------------------------------------

    def do_selectImportItemList(self, body, branch, ctx):
        since = self._since(body)
        if since >= "20240110000000":
            return self.envelope("001")
        with self._lock:
            statuses = self._imports.get(branch, {})
            items = [dict(item, imptItemsttsCd=statuses.get((item["taskCd"], item["itemSeq"]), item["imptItemsttsCd"]))
                     for item in SAMPLE_IMPORT_ITEMS]
        return self.envelope(data={"itemList": items})

    def do_updateImportItem(self, body, branch, ctx):
        self._require(body, "taskCd", "dclDe", "itemSeq", "imptItemSttsCd")
        key = (str(body["taskCd"]), int(body["itemSeq"]))
        if key not in {(item["taskCd"], item["itemSeq"]) for item in SAMPLE_IMPORT_ITEMS}:
            raise KraError("910", f"Request parameter error: no import item {key[0]}/{key[1]}")
        if str(body["imptItemSttsCd"]) not in ("3", "4"):
            raise KraError("910", "Request parameter error: imptItemSttsCd must be 3 (approve) or 4 (reject)")
        if str(body["imptItemSttsCd"]) == "3":
            self._require(body, "itemCd", "itemClsCd")
        with self._lock:
            self._imports.setdefault(branch, {})[key] = str(body["imptItemSttsCd"])
        return self.envelope()

    # ------------------------------------------------------------------
    # Stock
    # ------------------------------------------------------------------

    def do_insertStockIO(self, body, branch, ctx):
        self._require(body, "sarNo", "regTyCd", "sarTyCd", "ocrnDt", "totItemCnt", "itemList")
        self._check_dates(body, dates=("ocrnDt",))
        with self._lock:
            moves = self._stock_io.setdefault(branch, {})
            if int(body["sarNo"]) in moves:
                raise KraError("994")
            moves[int(body["sarNo"])] = dict(body)
        return self.envelope()

    def do_saveStockMaster(self, body, branch, ctx):
        self._require(body, "itemCd", "rsdQty")
        with self._lock:
            self._stock_master.setdefault(branch, {})[body["itemCd"]] = float(amount(body["rsdQty"], "rsdQty"))
        return self.envelope()
