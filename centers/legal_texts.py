"""The legal pages' German default texts (issue 14), shipped by a data migration and shown
when the ministry has not (yet) saved a page. They describe what the portal really
processes (DESIGN.md §1, §4, §7); facts only the operator knows stand in square brackets
("[Anschrift der betreibenden Stelle]") for the ministry to fill in the admin.

Format (``LegalPage.blocks``): paragraphs are separated by a blank line; a paragraph
starting with ``## `` is a heading, one whose lines all start with ``- `` is a list.
Everything is shown as plain, escaped text.
"""

import datetime

AS_OF = datetime.date(2026, 12, 4)

ACCESSIBILITY = """\
[Name der betreibenden Stelle] ist bemüht, das KI-Portal im Einklang mit dem \
Behindertengleichstellungsgesetz Nordrhein-Westfalen (BGG NRW) und der \
Barrierefreie-Informationstechnik-Verordnung Nordrhein-Westfalen (BITV NRW) barrierefrei \
zugänglich zu machen. Die BITV NRW gilt auch für Anwendungen im Intranet wie dieses Portal.

Diese Erklärung gilt für das KI-Portal unter [Internetadresse des Portals]: die \
Anmeldeseite, die Seiten für angemeldete Nutzerinnen und Nutzer, die Verwaltungsoberfläche \
und die Dokumente (PDF), die das Portal erzeugt.

## Stand der Vereinbarkeit mit den Anforderungen

Das KI-Portal ist teilweise barrierefrei. Die Seiten des Portals bestehen die \
automatischen Prüfungen nach WCAG 2.1 (Stufe AA) überwiegend; die folgenden Inhalte sind \
noch nicht barrierefrei.

## Nicht barrierefreie Inhalte

- Die erzeugten PDF-Dokumente (Bericht an die LaSI, Landesübersicht) sind nicht getaggt: \
Sie haben keine Strukturinformationen, und Links haben keine Beschreibung.
- Einige Seiten lassen sich bei einer Breite von 320 Pixeln nur mit seitlichem Scrollen \
lesen (Personalliste, Zuordnungen im Einsatzmanagement, Berichtsdetail, Personal \
landesweit, Verbund, Einsatzplan).
- Nach einem fehlerhaft abgeschickten Formular gibt es keine Zusammenfassung der Fehler, \
der Fokus springt an den Seitenanfang und der Seitentitel ändert sich nicht. Die \
Kennzeichnung von Pflichtfeldern mit „*“ wird nicht erklärt. Mehrere Formulare einer Seite \
haben keine unterscheidbaren Namen.
- Der HTML-Code enthält Attribute, die nicht dem HTML-Standard entsprechen (für das \
Nachladen von Seitenteilen).
- Die Verwaltungsoberfläche ist teilweise englisch, einige Bedienelemente haben keine \
Textalternative, und die Änderungshistorie zeigt Rohwerte.
- Einige Begriffe werden nicht einheitlich verwendet.
- Eine Erläuterung des Portals in Deutscher Gebärdensprache wird noch nicht angeboten.

Wir arbeiten daran, diese Barrieren zu beseitigen. Benötigen Sie einen Inhalt in \
barrierefreier Form, schreiben Sie uns (siehe unten).

## Erstellung dieser Erklärung

Diese Erklärung wurde am 4. Dezember 2026 erstellt. Sie beruht auf einer Selbstbewertung: \
Prüfung mit automatischen Werkzeugen (axe-core, pa11y, W3C Nu HTML Checker, Lighthouse, \
PDF-Prüfung) und Bedienung allein mit der Tastatur. Die Erklärung wird mindestens einmal \
jährlich überprüft.

## Feedback und Kontakt

Sind Ihnen Mängel beim barrierefreien Zugang zu Inhalten des KI-Portals aufgefallen? \
Benötigen Sie Informationen in barrierefreier Form? Dann nutzen Sie das Formular auf dieser \
Seite oder wenden Sie sich an:

[Kontaktstelle Barrierefreiheit: Name, Anschrift, E-Mail-Adresse, Telefonnummer]

## Durchsetzungsverfahren

Wenn Sie auf Ihre Rückmeldung keine zufriedenstellende Antwort erhalten, können Sie sich an \
die Ombudsstelle für barrierefreie Informationstechnik des Landes Nordrhein-Westfalen \
wenden. Sie ist der Beauftragten der Landesregierung für die Belange der Menschen mit \
Behinderung zugeordnet (§§ 10d, 10e BGG NRW, §§ 9 ff. BITV NRW) und vermittelt kostenlos \
zwischen Ihnen und der öffentlichen Stelle: https://www.lbbp.nrw.de/ombudsstelle, E-Mail: \
ombudsstelle-barrierefreie-it@mags.nrw.de.

Die Überwachungsstelle für barrierefreie Informationstechnik des Landes \
Nordrhein-Westfalen beim Landesbetrieb IT.NRW (Kompetenzzentrum Barrierefreie IT) prüft \
die Websites und Anwendungen der öffentlichen Stellen des Landes: \
ueberwachungsstelle-nrw@it.nrw.de.
"""

PRIVACY = """\
Diese Erklärung informiert Sie nach Art. 13 und 14 der Datenschutz-Grundverordnung \
(DSGVO) darüber, welche personenbezogenen Daten das KI-Portal verarbeitet, wozu und auf \
welcher Rechtsgrundlage, und welche Rechte Sie haben.

## Verantwortliche Stelle

[Name der betreibenden Stelle]
[Anschrift der betreibenden Stelle]
[E-Mail-Adresse und Telefonnummer]

## Datenschutzbeauftragte oder Datenschutzbeauftragter

[Name oder Funktion, Anschrift, E-Mail-Adresse der oder des Datenschutzbeauftragten]

## Wozu das Portal Daten verarbeitet

Das KI-Portal unterstützt die Kommunalen Integrationszentren (KI) in Nordrhein-Westfalen, \
ihre Träger, die Schulaufsicht, die Landesstelle Schulische Integration (LaSI), die \
Bewilligungsbehörde und das Ministerium bei den Aufgaben nach dem Runderlass „Kommunale \
Integrationszentren“ (Gem. RdErl. v. 8.5.2018) und den Förderrichtlinien: \
Personalausstattung, Integrationskonzepte, Einsatzmanagement, Berichte an die LaSI und \
Förderung.

Verarbeitet werden:

- Benutzerkonten: Name, Benutzername, dienstliche E-Mail-Adresse, Rolle und \
Zugehörigkeit zu einem Zentrum oder Schulamt, Zeitpunkt der letzten Anmeldung.
- Personalliste der Zentren: Name, dienstliche E-Mail-Adresse, Anstellungsträger, \
Qualifikation (Abschluss und Fachrichtung, Nr. 4.1 und Nr. 4.2 des Runderlasses), Stellen \
und Stellenanteile, Besetzungszeiträume, Leitungsfunktion, bei Lehrkräften die abordnende \
Schule, Entscheidungen über Ausnahmen bei der Qualifikation.
- Freiwillige Selbstauskunft zur Einwanderungsgeschichte (Nr. 3.4 des Runderlasses): nur \
wenn die beschäftigte Person sie selbst gibt. Sie ist nur für die Leitung des eigenen \
Zentrums sichtbar; jeder Abruf wird protokolliert. Landesweit wird sie nur zusammengefasst \
ausgewertet, kleine Gruppen (weniger als fünf Personen) werden nicht ausgewiesen.
- Inhalte der Zentren: Integrationskonzepte, Einsatzpläne, Kommentare, Berichte, \
Förderanträge, Bescheide und Nachweise mit den Namen der Personen, die sie bearbeitet haben.
- Änderungsverlauf: Bei jeder Änderung wird gespeichert, wer wann was geändert hat.
- Anmeldung und Sicherheit: Benutzername, IP-Adresse und Zeitpunkt von Anmeldungen und \
fehlgeschlagenen Anmeldeversuchen (Schutz vor dem Erraten von Passwörtern), \
Server-Protokolle der Aufrufe.
- Rückmeldungen zur Barrierefreiheit: Ihre Nachricht und, wenn Sie sie angeben, Name und \
E-Mail-Adresse.

## Rechtsgrundlagen

- Aufgaben der Zentren und der Landesbehörden: Art. 6 Abs. 1 Buchst. e DSGVO in \
Verbindung mit § 3 Datenschutzgesetz Nordrhein-Westfalen (DSG NRW) und dem Runderlass \
„Kommunale Integrationszentren“.
- Daten der Beschäftigten: Art. 6 Abs. 1 Buchst. b, c und e, Art. 88 DSGVO in Verbindung \
mit § 18 DSG NRW.
- Selbstauskunft zur Einwanderungsgeschichte (besondere Kategorie personenbezogener Daten): \
Art. 9 Abs. 2 Buchst. a DSGVO, Ihre ausdrückliche Einwilligung. Die Angabe ist freiwillig. \
Sie können die Einwilligung jederzeit mit Wirkung für die Zukunft widerrufen; die Angabe \
wird dann gelöscht. Wer keine Angabe macht, hat keine Nachteile.
- Anmeldeschutz und Protokolle: Art. 6 Abs. 1 Buchst. e, Art. 32 DSGVO.
- Rückmeldungen zur Barrierefreiheit: Art. 6 Abs. 1 Buchst. c und e DSGVO in Verbindung \
mit § 10b BGG NRW.

## Cookies

Das Portal setzt nur technisch notwendige Cookies: ein Sitzungs-Cookie für die Anmeldung, \
ein Cookie zum Schutz von Formularen (CSRF) und, wenn Sie die Sprache wechseln, ein \
Sprach-Cookie (§ 25 Abs. 2 Nr. 2 TDDDG). Es gibt keine Analyse- oder Werbe-Cookies und keine \
Inhalte von Dritten.

## Empfänger

- Innerhalb des Portals sehen Daten nur die Stellen, die sie für ihre Aufgabe brauchen: das \
eigene Zentrum, sein Träger, die zuständige Schulaufsicht (Lehrkräftestellen ihres \
Bezirks), die LaSI (Bezirksregierung Arnsberg), die Bewilligungsbehörde und das Ministerium.
- Berichte gehen an die LaSI, Förderanträge und Nachweise an die Bewilligungsbehörde.
- Technischer Betrieb: [Rechenzentrum oder Dienstleister, der das Portal im Auftrag \
betreibt (Art. 28 DSGVO)].

Eine Übermittlung in Länder außerhalb der Europäischen Union findet nicht statt.

## Speicherdauer

- Sitzungen enden nach 30 Minuten ohne Aktivität.
- Fehlgeschlagene Anmeldeversuche werden nach einer Stunde nicht mehr gezählt; die \
Adressen erfolgreicher Anmeldungen werden 90 Tage berücksichtigt.
- Hochgeladene Personallisten und ihre Vorschau werden nach 7 Tagen gelöscht; die \
übernommenen Daten bleiben in der Personalliste.
- Daten von Beschäftigten, die ein Zentrum verlassen haben: drei Jahre nach dem Ende ihrer \
letzten Besetzung werden sie anonymisiert. Gelöscht werden Name, E-Mail-Adresse, \
Anstellungsträger, Studien- bzw. Ausbildungsschwerpunkt, abordnende Schule, die \
Selbstauskunft zur Einwanderungsgeschichte und die Begründungen von \
Qualifikationsausnahmen, auch im Änderungsverlauf. Stellen, Stellenanteile und Zeiträume \
bleiben ohne Bezug zur Person für die Statistik.
- Hochgeladene Dokumente (Integrationskonzepte, Förderbescheide, Zielvereinbarungen, \
Anlagen zu Förderanträgen): zehn volle Kalenderjahre nach dem Jahr, in dem die Sache \
abgeschlossen ist (Förderjahr, Ende der Zielvereinbarung, Ablösung des Konzepts durch eine \
Fortschreibung); danach wird die Datei gelöscht, der Eintrag vermerkt die Löschung.
- Berichte, Anträge und Nachweise selbst: nach den Aufbewahrungsfristen für \
Zuwendungsakten [Frist eintragen].
- Benutzerkonten: bis zur Deaktivierung, danach [Frist eintragen].
- Rückmeldungen zur Barrierefreiheit: [Frist eintragen, z. B. ein Jahr nach Abschluss der \
Bearbeitung].

## Ihre Rechte

Sie haben das Recht auf Auskunft (Art. 15 DSGVO), Berichtigung (Art. 16), Löschung \
(Art. 17), Einschränkung der Verarbeitung (Art. 18) und Widerspruch (Art. 21). Eine \
Einwilligung können Sie jederzeit widerrufen (Art. 7 Abs. 3). Wenden Sie sich dazu an die \
verantwortliche Stelle oder die Leitung Ihres Zentrums. Die Leitung Ihres Zentrums und das \
Ministerium erstellen Ihnen eine Auskunft über alle im Portal zu Ihrer Person gespeicherten \
Daten, lesbar und als Datei; jede Auskunft wird protokolliert.

## Beschwerde

Sie können sich bei der Aufsichtsbehörde beschweren: Landesbeauftragte für Datenschutz und \
Informationsfreiheit Nordrhein-Westfalen (LDI NRW), Kavalleriestraße 2–4, 40213 \
Düsseldorf, https://www.ldi.nrw.de.
"""

IMPRINT = """\
## Angaben nach § 5 Digitale-Dienste-Gesetz (DDG)

[Name der betreibenden Stelle]
[Anschrift der betreibenden Stelle]

Vertreten durch: [Name und Funktion der vertretungsberechtigten Person]

## Kontakt

Telefon: [Telefonnummer]
E-Mail: [E-Mail-Adresse]

## Aufsichtsbehörde

[Zuständige Aufsichtsbehörde]

## Umsatzsteuer-Identifikationsnummer

[Umsatzsteuer-Identifikationsnummer, falls vorhanden; sonst diesen Abschnitt löschen]

## Verantwortlich für den Inhalt nach § 18 Abs. 2 Medienstaatsvertrag (MStV)

[Name, Anschrift]

## Hinweis

Das KI-Portal ist ein Arbeitsportal für die Kommunalen Integrationszentren in \
Nordrhein-Westfalen und die beteiligten Behörden. Die Inhalte der Zentren verantworten die \
Zentren und ihre Träger.
"""

EASY_LANGUAGE = """\
## Was ist das KI-Portal?

Das KI-Portal ist eine Seite im Internet.
KI heißt: Kommunales Integrations-Zentrum.
In Nordrhein-Westfalen gibt es viele Kommunale Integrations-Zentren.
Sie helfen Menschen mit Einwanderungs-Geschichte.
Zum Beispiel in der Schule und in der Kita.

## Wer benutzt das Portal?

Das Portal ist für Menschen, die dort arbeiten.
Und für Ämter, die mit den Zentren zusammen arbeiten.
Zum Beispiel das Schul-Amt und das Ministerium.

## Was kann man im Portal machen?

- Man kann sehen: Wer arbeitet in einem Zentrum?
- Man kann Pläne für die Arbeit schreiben.
- Man kann Berichte schreiben.
- Man kann Geld vom Land beantragen.

## Wie kommt man in das Portal?

Sie brauchen einen Benutzer-Namen und ein Passwort.
Dann können Sie sich anmelden.
Das heißt: Sie schreiben Ihren Namen und Ihr Passwort auf die Anmelde-Seite.

## Ihre Daten

Das Portal speichert Daten über Sie.
Zum Beispiel Ihren Namen.
Nur wenige Menschen dürfen diese Daten sehen.
Mehr dazu steht in der Daten-Schutz-Erklärung.

## Barrieren melden

Sie können das Portal nicht gut benutzen?
Dann schreiben Sie uns.
Das geht auf der Seite Barriere-Freiheit.
Dort gibt es ein Formular.
"""

DEFAULT_PAGES = {
    "accessibility": ("Erklärung zur Barrierefreiheit", ACCESSIBILITY),
    "privacy": ("Datenschutzerklärung", PRIVACY),
    "imprint": ("Impressum", IMPRINT),
    "easy_language": ("Leichte Sprache", EASY_LANGUAGE),
}
