"""German quotation frames found missing on the Wikinews train split (issue 15, item 4).

Each case is a German sentence written for the test on the pattern of a missed or wrongly
attributed quote: the speaker in a later clause, a particle verb in a subordinate clause, an
opinion frame, reported speech that continues over sentences, a speaker named in the sentence
after the quote. `None` means no speaker may be given.
"""

from __future__ import annotations

import pytest

FRAME_CASES = {
    "each clause has its own subject": (
        "Der Stürmer Jonas Albers nannte die Strafe „völlig überzogen“, Trainer Markus Feld "
        "bezeichnete das Urteil als „nicht nachvollziehbar“.",
        {"völlig überzogen": "Jonas Albers", "nicht nachvollziehbar": "Markus Feld"},
    ),
    "a later clause's subject with an apposition": (
        "Ministerin Petra Lohse (CDU) wies diese Behauptung zurück, die Sprecherin der "
        "Fraktion, Sandra Kühn (Grüne), erklärte: „Solche Debatten schaden am Ende allen.“",
        {"Solche Debatten schaden am Ende allen.": "Sandra Kühn"},
    ),
    "a particle verb in a subordinate clause": (
        "Wie Konzernchefin Sabine Roth am Montag mitteilte, sei das Werk „auf Jahre hinaus voll "
        "ausgelastet“. Die Speicherung oder, wie sich Karl Lindner ausdrückte, „das anlasslose "
        "Sammeln von Daten“ verstoße gegen das Grundgesetz.",
        {
            "auf Jahre hinaus voll ausgelastet": "Sabine Roth",
            "das anlasslose Sammeln von Daten": "Karl Lindner",
        },
    ),
    "an opinion frame and a reason": (
        "Günter Albrecht vom Verein Mehr Demokratie ist der Meinung, dass die Klage einiger "
        "„lichtscheuer Abgeordneter“ nichts verzögern dürfe. Horst Seidel begründete seinen "
        "Rücktritt mit einer „veränderten Lage“ in der Partei.",
        {"lichtscheuer Abgeordneter": "Günter Albrecht", "veränderten Lage": "Horst Seidel"},
    ),
    "reported speech goes on over sentences": (
        "Die Ministerin Petra Hollmann sagte am Dienstag, die Lage sei ernst. Es drohe „ein "
        "Winter mit vielen Engpässen in den Kliniken“. Die Versorgung sei „stark gefährdet“. "
        "Das wolle sie mit den Ländern besprechen. „Wir brauchen jetzt schnelle Hilfe.“",
        {
            "ein Winter mit vielen Engpässen in den Kliniken": "Petra Hollmann",
            "stark gefährdet": "Petra Hollmann",
            "Wir brauchen jetzt schnelle Hilfe.": "Petra Hollmann",
        },
    ),
    "reported speech stops at a sentence naming someone else": (
        "Petra Hollmann sagte, die Lage sei ernst. Am Abend rückte die Feuerwehr mit Uwe "
        "Brenner aus. Es gebe „keinen Grund zur Panik in der Stadt“.",
        {"keinen Grund zur Panik in der Stadt": None},
    ),
    "the sentence's subject, not the object after the verb": (
        "Der frühere Bürgermeister Heinz Kramer (SPD) warnte die CDU vor einem „rein "
        "populistischen Wahlkampf“. Markus Weber, Vorsitzender des Ausschusses, wollte sich nach "
        "einem Treffen mit Gerda Lang nicht festlegen, sagte aber, man müsse „alle Optionen "
        "prüfen und dann rasch entscheiden“.",
        {
            "rein populistischen Wahlkampf": "Heinz Kramer",
            "alle Optionen prüfen und dann rasch entscheiden": "Markus Weber",
        },
    ),
    "a person in the dass-clause is not the speaker": (
        "Maria Kessler geht davon aus, dass Tobias Brandt „ohne jede Absprache mit den Ländern“ "
        "entschieden habe.",
        {"ohne jede Absprache mit den Ländern": "Maria Kessler"},
    ),
    "a person after 'über' or 'gegen' is the topic": (
        "Den Unmut der CDU über Stoibers Äußerungen brachte die gesundheitspolitische Sprecherin "
        "der Fraktion im Landtag, Annette Lechner, zum Ausdruck: „Es gibt keinen Grund, jetzt "
        "nachzugeben.“ Der Leiter der UNO-Studie, Paulo Sérgio Pinheiro, sieht die "
        "Hauptverantwortung im Kampf gegen die Gewalt im staatlichen Bereich: „Wir brauchen ein "
        "starkes Signal.“",
        {
            "Es gibt keinen Grund, jetzt nachzugeben.": "Annette Lechner",
            "Wir brauchen ein starkes Signal.": "Paulo Sérgio Pinheiro",
        },
    ),
    "a role with a genitive complement before the name": (
        "„Er verdient viel Anerkennung für seine Arbeit“, sagte der Oberrabbiner Israels, "
        "Yona Metzger.",
        {"Er verdient viel Anerkennung für seine Arbeit": "Yona Metzger"},
    ),
    "the speaker named in the sentence after the quote": (
        "„Ja, es gibt Zumutungen für alle.“ Das musste Bundesfinanzminister Peter Steinhaus zu "
        "Beginn der Debatte einräumen. „Wir bleiben bei unserem Kurs.“ Das Treffen mit Anna "
        "Lorenz fand später statt.",
        # The second quote continues Steinhaus; "Das Treffen" is an article, not "Das sagte".
        {
            "Ja, es gibt Zumutungen für alle.": "Peter Steinhaus",
            "Wir bleiben bei unserem Kurs.": "Peter Steinhaus",
        },
    ),
    "'hieß es von' and a closing 'sagte X'": (
        "„Alle Spuren deuten auf Brandstiftung hin“, hieß es vom Abgeordneten des Landtags "
        "Viktor Hansen. Vermutlich habe ein Stern die Scheibe gestreift und ihr einen „Ruck“ "
        "gegeben, sagte die Forscherin Jana Greif.",
        {"Alle Spuren deuten auf Brandstiftung hin": "Viktor Hansen", "Ruck": "Jana Greif"},
    ),
    "a quote in parentheses after a name": (
        "Gratuliert haben auch Ministerpräsident Giorgio Berlusconi, der Leiter der Behörde, "
        "Mohammed Amari („Niemand hat diese Ehre mehr verdient.“), und andere.",
        {"Niemand hat diese Ehre mehr verdient.": "Mohammed Amari"},
    ),
    "who judges a phrase: relative clause, passive agent, 'für X ist'": (
        "Kritik kommt vom Fahrgastverband Pro Bahn, der diese Maßnahme als „Kapitulation“ vor "
        "den Randalierern sieht. In weiten Teilen des Landes wird die Gefahr vom Deutschen "
        "Wetterdienst als „sehr hoch“ eingestuft. Für den brasilianischen Gesundheitsminister "
        "José Temporão ist die Lage in Rio „alarmierend“.",
        {
            "Kapitulation": "Pro Bahn",
            "sehr hoch": "Deutschen Wetterdienst",
            "alarmierend": "José Temporão",
        },
    ),
    "a person named by what they do": (
        "„Das ist ein unerwartetes Geschenk für die Forschung“, sagte die Archäologin Marta "
        "Sanz Pereira. Vor der Wahl meinte der Friedensnobelpreisträger Adolfo Pérez Esquivel, "
        "dass Bergoglio „dazugehörte“.",
        {
            "Das ist ein unerwartetes Geschenk für die Forschung": "Marta Sanz Pereira",
            "dazugehörte": "Adolfo Pérez Esquivel",
        },
    ),
}


@pytest.mark.parametrize("case", FRAME_CASES)
def test_quote_frames(analyser, case):
    text, expected = FRAME_CASES[case]
    [(_k, result)] = analyser.analyse([(None, "Zitate", text)])
    speakers = {q.text: q.speaker for q in result.quotes if q.direct}
    assert {quote: speakers.get(quote) for quote in expected} == expected
