"""Real-shaped orders (Italy, US, other EU and COD countries) and the exact codes each must get."""

import pytest

from codtool.checks.runner import checked

# (phone, address1, address2, city, postcode, province, country, expected codes)
CASES = [
    # --- Italy: clean addresses in the forms people type
    ("333 123 4567", "Via Roma 12", "", "Roma", "00184", "RM", "IT", set()),
    ("+39 333-1234567", "Via Roma, 12", "", "Roma", "00184", "RM", "IT", set()),
    ("0039 3331234567", "C.so Vittorio Emanuele II 45", "int. 4", "Torino", "10121", "TO", "IT", set()),
    ("+393391112233", "P.zza Garibaldi 3/B", "", "Napoli", "80142", "NA", "IT", set()),
    ("347 888 1122", "V.le Europa 10 int. 4", "", "Milano", "20121", "MI", "IT", set()),
    ("3201234567", "Loc. Case Sparse snc", "", "Cantù", "22063", "CO", "IT", set()),
    ("320 1234567", "Fraz. San Pietro 7", "", "Cantu'", "22063", "(CO)", "IT", set()),
    ("338 1234 567", "Via Cantù 4", "", "CANTU", "22063", "Como", "IT", set()),
    ("tel. 333 1234567", "Via XX Settembre 8", "", "Bolzano/Bozen", "39100", "BZ", "IT", set()),
    ("3331234567", "Via Sparano 101", "", "Bari", "70121", "BA", "IT", set()),
    ("3331234567", "Piazza della Signoria n. 1", "", "Firenze", "50122", "FI", "IT", set()),
    ("3331234567", "Via dei Mille", "9", "Palermo", "90139", "PA", "IT", set()),
    ("3331234567", "Via Roma 12 bis", "", "Samone", "38059", "TN", "IT", set()),
    ("3331234567", "Strada Provinciale 12 km 3", "", "Barolo", "12060", "CN", "IT", set()),
    ("3331234567", "Via Garibaldi 5", "", "Reggio Emilia", "42121", "RE", "IT", set()),
    ("3331234567", "Via Roma s.n.c.", "", "Alba", "12051", "Cuneo", "IT", set()),
    # --- Italy: phones
    ("02 8765432", "Via Montenapoleone 8", "", "Milano", "20121", "MI", "IT", {"phone.landline"}),
    ("055 2768224", "Piazza della Signoria 1", "", "Firenze", "50122", "FI", "IT", {"phone.landline"}),
    ("", "Via Roma 12", "", "Roma", "00184", "RM", "IT", {"phone.missing"}),
    ("n/d", "Via Roma 12", "", "Roma", "00184", "RM", "IT", {"phone.unparsable"}),
    ("333 12", "Via Roma 12", "", "Roma", "00184", "RM", "IT", {"phone.invalid"}),
    ("333 1234 5678 999", "Via Roma 12", "", "Roma", "00184", "RM", "IT", {"phone.invalid"}),
    ("+41 79 123 45 67", "Via Roma 12", "", "Roma", "00184", "RM", "IT", {"phone.foreign"}),
    ("+33 6 12 34 56 78", "Via Roma 12", "", "Roma", "00184", "RM", "IT", {"phone.foreign"}),
    ("+39 1234 567890", "Via Roma 12", "", "Roma", "00184", "RM", "IT", {"phone.possible_not_valid"}),
    ("800 123456", "Via Roma 12", "", "Roma", "00184", "RM", "IT", {"phone.service_number"}),
    ("899 123456", "Via Roma 12", "", "Roma", "00184", "RM", "IT", {"phone.service_number"}),
    ("3331234567 int 12", "Via Roma 12", "", "Roma", "00184", "RM", "IT", {"phone.extension"}),
    ("+39 0577 355123", "Loc. Case Sparse snc", "", "Castelnuovo Berardenga", "53019", "SI", "IT",
     {"phone.landline"}),
    # --- Italy: addresses
    ("3331234567", "Via Roma", "", "Roma", "00184", "RM", "IT", {"address.it.missing_house_number"}),
    ("3331234567", "Via 4 Novembre", "", "Roma", "00184", "RM", "IT", {"address.it.missing_house_number"}),
    ("3331234567", "Via Roma 12", "", "Roma", "184", "RM", "IT", {"address.it.cap_malformed"}),
    ("3331234567", "Via Roma 12", "", "Roma", "0O184", "RM", "IT", {"address.it.cap_malformed"}),
    ("3331234567", "Via Roma 12", "", "Roma", "", "RM", "IT", {"address.postcode_missing"}),
    ("3331234567", "Via Roma 12", "", "Roma", "00100", "RM", "IT", {"address.it.cap_comune_mismatch"}),
    ("3331234567", "Via Roma 12", "", "Milano", "00184", "MI", "IT", {"address.it.cap_comune_mismatch"}),
    ("3331234567", "Via Dante 3", "", "Milano", "20100", "MI", "IT", {"address.it.cap_comune_mismatch"}),
    ("3331234567", "Via Cantù 4", "", "Cantù", "22063", "MI", "IT", {"address.it.province_mismatch"}),
    ("3331234567", "Via Roma 12", "", "Roma", "00184", "ZZ", "IT", {"address.it.province_unknown"}),
    ("3331234567", "Via Roma 12", "", "Roma", "00184", "", "IT", {"address.it.province_missing"}),
    ("3331234567", "Via Roma 12", "", "Roma (RM)", "00184", "", "IT", set()),
    ("3331234567", "Via Piave 5", "", "Mestre", "30174", "VE", "IT", {"address.it.comune_unknown"}),
    ("3331234567", "Via Piave 5", "", "Atlantide", "99999", "VE", "IT",
     {"address.it.comune_unknown", "address.it.cap_unknown"}),
    ("3331234567", "12", "", "Roma", "00184", "RM", "IT", {"address.missing_street"}),
    ("", "Via Roma", "", "Milano", "00184", "TO", "IT",
     {"phone.missing", "address.it.missing_house_number", "address.it.province_mismatch",
      "address.it.cap_comune_mismatch"}),
    # --- United States
    ("(212) 555-0100", "350 5th Ave", "Suite 3400", "New York", "10118", "NY", "US", set()),
    ("+1 212 555 0100", "123 Main St", "Apt 4B", "New York", "10001", "New York", "US", set()),
    ("212-555-0100 ext. 12", "123 Main St", "", "New York", "10001-1234", "NY", "US", {"phone.extension"}),
    ("(212) 555-0100", "PO Box 123", "", "New York", "10001", "NY", "US", {"address.us.po_box"}),
    ("(212) 555-0100", "P.O. Box 77", "", "Boston", "02134", "MA", "US", {"address.us.po_box"}),
    ("(212) 555-0100", "Main St", "", "Boston", "02134", "MA", "US", {"address.us.missing_house_number"}),
    ("(212) 555-0100", "Broadway and 5th Ave", "", "New York", "10010", "NY", "US", {"address.us.ambiguous"}),
    ("(212) 555-0100", "12 Main St", "", "Boston", "2134", "MA", "US", {"address.us.zip_malformed"}),
    ("(212) 555-0100", "12 Main St", "", "Boston", "ABCDE", "MA", "US", {"address.us.zip_malformed"}),
    ("(212) 555-0100", "12 Main St", "", "Boston", "10001", "MA", "US", {"address.us.zip_state_mismatch"}),
    ("(212) 555-0100", "12 Main St", "", "Boston", "00000", "MA", "US", {"address.us.zip_unknown"}),
    ("(212) 555-0100", "12 Main St", "", "Boston", "02134", "", "US", {"address.us.state_missing"}),
    ("(212) 555-0100", "12 Main St", "", "Boston", "02134", "Lombardia", "US", {"address.us.state_unknown"}),
    ("(212) 555-0100", "12 Main St", "", "Boston", "", "MA", "US", {"address.postcode_missing"}),
    ("+39 333 1234567", "12 Main St", "", "Boston", "02134", "MA", "US", {"phone.foreign"}),
    ("(555) 123-4567", "12 Main St", "", "Boston", "02134", "MA", "US", {"phone.possible_not_valid"}),
    ("555-0100", "12 Main St", "", "Boston", "02134", "MA", "US", {"phone.invalid"}),
    ("(212) 555-0100", "456 Elm St", "", "New York", "10008", "NY", "US", {"address.us.zip_po_box_only"}),
    # --- Other EU and COD countries
    ("+33 6 12 34 56 78", "12 rue de la Paix", "", "Paris", "75002", "", "FR", set()),
    ("06 12 34 56 78", "12 rue de la Paix", "", "Paris", "7500", "", "FR", {"address.postcode_malformed"}),
    ("01 42 68 53 00", "12 rue de la Paix", "", "Paris", "75002", "", "FR", {"phone.landline"}),
    ("+34 612 345 678", "Calle Mayor 10", "2º B", "Madrid", "28013", "Madrid", "ES", set()),
    ("612 345 678", "Calle Mayor 10", "", "Madrid", "99013", "Madrid", "ES", {"address.postcode_malformed"}),
    ("0151 12345678", "Hauptstraße 5", "", "Berlin", "10115", "", "DE", set()),
    ("0151 12345678", "Hauptstraße 5", "", "", "10115", "", "DE", {"address.missing_city"}),
    ("0151 12345678", "Hauptstraße 5", "", "Berlin", "", "", "DE", {"address.postcode_missing"}),
    ("0664 1234567", "Stephansplatz 1", "", "Wien", "1010", "", "AT", set()),
    ("06 12345678", "Damrak 1", "", "Amsterdam", "1012 LG", "", "NL", set()),
    ("912 345 678", "Rua Augusta 100", "", "Lisboa", "1100-053", "", "PT", set()),
    ("+971 50 123 4567", "Villa 12 Street 5 Al Barsha 1", "", "Dubai", "", "Dubai", "AE", set()),
    ("0300 1234567", "House 45 Street 7 F-8/3", "", "Islamabad", "44000", "ICT", "PK", set()),
    ("333 1234567", "Main Road 1", "", "Narnia", "", "", "NA1", {"address.unknown_country", "phone.unparsable"}),
]


@pytest.mark.parametrize(("phone", "address1", "address2", "city", "postcode", "province", "country", "expected"),
                         CASES, ids=[f"{c[6]}-{i}" for i, c in enumerate(CASES)])
def test_expected_codes(phone, address1, address2, city, postcode, province, country, expected):
    row = (1, "Mario Rossi", phone, address1, address2, city, postcode, province, country)
    ((_, _, findings),) = checked([row])
    assert {code for _, code, *_ in findings} == expected, [(code, message) for _, code, _, message, _ in findings]


def test_there_are_at_least_sixty_cases():
    assert len(CASES) >= 60
