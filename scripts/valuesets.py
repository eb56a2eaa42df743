#!/usr/bin/env python3
"""Writes the project's value sets (valuesets/*.json) in the eu-dcc-valuesets format.

The code lists are public facts (EMA/SNOMED CT/LOINC/JRC/ISO 3166 codes) typed in below; the
country names come from Debian's iso-codes package (/usr/share/iso-codes, with its Czech
gettext catalogue). Every entry carries "display" (English) and, where the bilingual PDF needs
it, "display_cs" (Czech). verifier/tests/valuesets.rs checks every code against the reference
value sets in ../shared/conformance/valuesets. Python 3 standard library only.
"""
import gettext
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "valuesets")

SNOMED = "http://snomed.info/sct"
SNOMED_VERSION = "http://snomed.info/sct/900000000000207008/version/20210131"
EMA_REGISTER = "https://ec.europa.eu/health/documents/community-register/html/"
SPOR = "https://spor.ema.europa.eu/v1/organisations"
JRC = "https://covid-19-diagnostics.jrc.ec.europa.eu/devices"

# (file, valueSetId, valueSetDate, system, version, [(code, display, display_cs or None)])
SETS = [
    ("disease-agent-targeted", "disease-agent-targeted", "2021-04-27", SNOMED, SNOMED_VERSION, [
        ("840539006", "COVID-19", "COVID-19"),
    ]),
    ("vaccine-prophylaxis", "sct-vaccines-covid-19", "2021-04-27", SNOMED, SNOMED_VERSION, [
        ("1119305005", "SARS-CoV-2 antigen vaccine", "antigenní vakcína proti SARS-CoV-2"),
        ("1119349007", "SARS-CoV-2 mRNA vaccine", "mRNA vakcína proti SARS-CoV-2"),
        ("J07BX03", "covid-19 vaccines", "vakcíny proti covid-19"),
        ("28531000087107", "COVID-19 vaccine", "vakcína proti COVID-19"),
        ("1162643001", "SARS-CoV-2 recombinant spike protein antigen vaccine",
         "rekombinantní vakcína proti SARS-CoV-2 (spike protein)"),
        ("1157024006", "Inactivated whole SARS-CoV-2 antigen vaccine",
         "inaktivovaná celovirionová vakcína proti SARS-CoV-2"),
    ]),
    ("vaccine-medicinal-product", "vaccines-covid-19-names", "2021-04-27", EMA_REGISTER, "", [
        ("EU/1/20/1528", "Comirnaty", None),
        ("EU/1/20/1507", "Spikevax", None),
        ("EU/1/21/1529", "Vaxzevria", None),
        ("EU/1/20/1525", "Jcovden", None),
        ("EU/1/21/1618", "Nuvaxovid", None),
        ("EU/1/21/1624", "COVID-19 Vaccine Valneva", "Vakcína proti COVID-19 Valneva"),
        ("EU/1/21/1580", "VidPrevtyn Beta", None),
        ("CVnCoV", "CVnCoV", None),
        ("Sputnik-V", "Sputnik-V", None),
        ("Convidecia", "Convidecia", None),
        ("EpiVacCorona", "EpiVacCorona", None),
        ("BBIBP-CorV", "BBIBP-CorV", None),
        ("Inactivated-SARS-CoV-2-Vero-Cell", "Inactivated SARS-CoV-2 (Vero Cell)",
         "Inaktivovaný SARS-CoV-2 (Vero Cell)"),
        ("CoronaVac", "CoronaVac", None),
        ("Covaxin", "Covaxin (BBV152 A, B, C)", None),
        ("Covishield", "Covishield (ChAdOx1_nCoV-19)", None),
        ("Covid-19-recombinant", "Covid-19 (recombinant)", "Covid-19 (rekombinantní)"),
        ("R-COVI", "R-COVI", None),
        ("CoviVac", "CoviVac", None),
        ("Sputnik-Light", "Sputnik Light", None),
        ("Hayat-Vax", "Hayat-Vax", None),
        ("Abdala", "Abdala", None),
        ("WIBP-CorV", "WIBP-CorV", None),
        ("MVC-COV1901", "MVC COVID-19 vaccine", "Vakcína MVC COVID-19"),
        ("NVX-CoV2373", "NVX-CoV2373", None),
        ("Covovax", "Covovax", None),
    ]),
    ("vaccine-mah-manf", "vaccines-covid-19-auth-holders", "2021-04-27", SPOR, "", [
        ("ORG-100001699", "AstraZeneca AB", None),
        ("ORG-100030215", "Biontech Manufacturing GmbH", None),
        ("ORG-100001417", "Janssen-Cilag International", None),
        ("ORG-100031184", "Moderna Biotech Spain S.L.", None),
        ("ORG-100006270", "Curevac AG", None),
        ("ORG-100013793", "CanSino Biologics", None),
        ("ORG-100020693", "China Sinopharm International Corp. - Beijing location", None),
        ("ORG-100010771", "Sinopharm Weiqida Europe Pharmaceutical s.r.o. - Prague location",
         "Sinopharm Weiqida Europe Pharmaceutical s.r.o. - Praha"),
        ("ORG-100024420", "Sinopharm Zhijun (Shenzhen) Pharmaceutical Co. Ltd. - Shenzhen location",
         None),
        ("ORG-100032020", "Novavax CZ a.s.", None),
        ("Gamaleya-Research-Institute", "Gamaleya Research Institute", None),
        ("Vector-Institute", "Vector Institute", None),
        ("Sinovac-Biotech", "Sinovac Biotech", None),
        ("Bharat-Biotech", "Bharat Biotech", None),
        ("ORG-100001981", "Serum Institute Of India Private Limited", None),
        ("ORG-100007893", "R-Pharm CJSC", None),
        ("Chumakov-Federal-Scientific-Center",
         "Chumakov Federal Scientific Center for Research and Development of "
         "Immune-and-Biological Products", None),
        ("ORG-100023050", "Gulf Pharmaceutical Industries", None),
        ("CIGB", "Center for Genetic Engineering and Biotechnology (CIGB)", None),
        ("Sinopharm-WIBP", "Sinopharm - Wuhan Institute of Biological Products", None),
        ("ORG-100033914", "Medigen Vaccine Biologics Corporation", None),
        ("ORG-100000788", "Sanofi Pasteur", None),
        ("ORG-100036422", "Valneva France", None),
        ("Fiocruz", "Fiocruz", None),
    ]),
    ("covid-19-lab-test-type", "covid-19-lab-test-type", "2021-04-27", "http://loinc.org", "2.69", [
        ("LP6464-4", "Nucleic acid amplification with probe detection",
         "amplifikace nukleových kyselin (NAAT, např. RT-PCR)"),
        ("LP217198-3", "Rapid immunoassay", "rychlý antigenní test (RAT)"),
    ]),
    ("covid-19-lab-result", "covid-19-lab-result", "2021-04-27", SNOMED, SNOMED_VERSION, [
        ("260415000", "Not detected", "nedetekováno (negativní)"),
        ("260373001", "Detected", "detekováno (pozitivní)"),
    ]),
    # A subset of the rapid antigen tests of the EU common list (JRC device ids).
    ("covid-19-lab-test-manufacturer-and-name", "covid-19-lab-test-manufacturer-and-name",
     "2021-07-01", JRC, "2021-07-01", [
        ("1232", "Abbott Rapid Diagnostics, Panbio COVID-19 Ag Rapid Test", None),
        ("1304", "AMEDA Labordiagnostik GmbH, AMP Rapid Test SARS-CoV-2 Ag", None),
        ("1065", "Becton Dickinson, BD Veritor System for Rapid Detection of SARS-CoV-2", None),
        ("1331", "Beijing Lepu Medical Technology Co., Ltd, SARS-CoV-2 Antigen Rapid Test Kit",
         None),
        ("1242", "Bionote, Inc, NowCheck COVID-19 Ag Test", None),
        ("1223", "BIOSYNEX S.A., BIOSYNEX COVID-19 Ag BSS", None),
        ("1173", "CerTest Biotec, CerTest SARS-CoV-2 Card test", None),
        ("1363", "Hangzhou Clongene Biotech Co., Ltd., Covid-19 Antigen Rapid Test Kit", None),
        ("1333", "Joinstar Biomedical Technology Co., Ltd, COVID-19 Rapid Antigen Test "
                 "(Colloidal Gold)", None),
        ("1268", "LumiraDX UK Ltd, LumiraDx SARS-CoV-2 Ag Test", None),
        ("1180", "MEDsan GmbH, MEDsan SARS-CoV-2 Antigen Rapid Test", None),
        ("1097", "Quidel Corporation, Sofia SARS Antigen FIA", None),
        ("1604", "Roche (SD BIOSENSOR), SARS-CoV-2 Antigen Rapid Test", None),
        ("344", "SD BIOSENSOR Inc, STANDARD F COVID-19 Ag FIA", None),
        ("345", "SD BIOSENSOR Inc, STANDARD Q COVID-19 Ag Test", None),
        ("1218", "Siemens Healthineers, CLINITEST Rapid Covid-19 Antigen Test", None),
        ("1114", "Sugentech, Inc, SGTi-flex COVID-19 Ag", None),
        ("1489", "Safecare Biotech (Hangzhou) Co. Ltd, COVID-19 Antigen Rapid Test Kit (Swab)",
         None),
        ("1278", "Xiamen Boson Biotech Co, Rapid SARS-CoV-2 Antigen Test Card", None),
        ("1343", "Zhejiang Orient Gene Biotech Co., Ltd, Coronavirus Ag Rapid Test Cassette "
                 "(Swab)", None),
    ]),
]


def countries():
    path = "/usr/share/iso-codes/json/iso_3166-1.json"
    if not os.path.exists(path):
        sys.exit(f"{path} is missing: apt-get install iso-codes")
    with open(path, encoding="utf-8") as fh:
        entries = json.load(fh)["3166-1"]
    cs = gettext.translation("iso_3166-1", localedir="/usr/share/locale", languages=["cs"],
                             fallback=True)
    rows = []
    for e in entries:
        english = e.get("common_name") or e["name"]
        czech = cs.gettext(e.get("common_name") or e["name"])
        if czech == english and "common_name" in e:
            czech = cs.gettext(e["name"])
        rows.append((e["alpha_2"], english, czech if czech != english else None))
    # Kosovo: a user-assigned code that the EU list includes.
    rows.append(("XK", "Kosovo", "Kosovo"))
    return sorted(rows)


def write(file, vs_id, date, system, version, rows):
    values = {}
    for code, display, display_cs in rows:
        v = {"display": display, "lang": "en", "active": True, "system": system,
             "version": version}
        if display_cs:
            v["display_cs"] = display_cs
        values[code] = v
    doc = {"valueSetId": vs_id, "valueSetDate": date, "valueSetValues": values}
    with open(os.path.join(OUT, file + ".json"), "w", encoding="utf-8") as fh:
        json.dump(doc, fh, ensure_ascii=False, indent=2)
        fh.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    for file, vs_id, date, system, version, rows in SETS:
        write(file, vs_id, date, system, version, rows)
    write("country-2-codes", "country-2-codes", "2019-11-01", "urn:iso:std:iso:3166", "",
          countries())


if __name__ == "__main__":
    main()
