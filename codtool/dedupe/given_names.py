"""Common given names (Italian and English), to tell another person from a typo.

"Luca" and "Lucia", "Giuseppe" and "Giuseppina", "Mario" and "Maria" are one letter or two
apart, as typos are, but each is a real name: two different names on orders at one address are
two people of a family. A word that is not on the list is read as a typo of the nearest name
on it. Typed from memory of ISTAT's most frequent names and common English names; it need
not be complete, only to hold the names that families share most.
"""

from __future__ import annotations

_ITALIAN_TEXT = """
mario maria francesco francesca giuseppe giuseppina giovanni giovanna antonio antonia luigi luigia angelo
angela vincenzo vincenza pietro pietra salvatore carlo carla franco franca domenico domenica bruno paolo paola
michele michela giorgio giorgia aldo alda sergio luciano luciana massimo stefano stefania andrea marco luca
lucia alessandro alessandra roberto roberta giulio giulia giuliano giuliana matteo lorenzo davide simone
simona riccardo federico federica daniele daniela emanuele emanuela gabriele gabriella fabio fabiana claudio
claudia filippo enrico enrica alberto alberta raffaele raffaella gianni gianna nicola nicoletta niccolo
tommaso edoardo leonardo mattia gabriel diego samuele christian cristian cristiano cristina dario elia elio
ettore fausto fernando flavio gaetano gaetana gino gina guido jacopo giacomo ivan luciano manuel marcello
mauro maurizio nunzio nunzia orazio ottavio piero renato renata rocco sandro sandra silvio silvia tiziano
tiziana umberto valerio valeria vittorio vittoria walter alessio alessia anna annalisa barbara beatrice
camilla caterina chiara cinzia debora elena elisa elisabetta emma erica eleonora fiorella gloria ilaria irene
laura lisa lorena lorella marina marta martina monica nadia noemi patrizia rachele rita rosa rosanna rossella
sabrina sara serena sofia teresa valentina valentino veronica viola giada greta aurora ginevra alice arianna
miriam margherita ludovica agnese adele ada olga rebecca luisa luisella mirella ornella marisa grazia
mariagrazia annamaria mariarosa marianna mariella marilena mariano marino
carmela carmelo concetta rosaria rosario assunta immacolata filomena ida iolanda lina marco
michelangelo nino nina pasquale pasqualina santo santa sebastiano tullio ugo vito vita corrado dino dina enzo
ezio igor lino loredana manuela milena mirko ottavia patrizio ornello remo romano romana sonia tania tommasa
adriano adriana agostino alba amedeo amelia angelica antonella arturo attilio augusto aurelio benedetta bianca
bruna calogero carolina cesare clara clelia cosimo costanza damiano delia denis denise diana edda egidio elvira
emilia emilio enza ermanno erminia ester eugenio eugenia filippa flavia gemma gerardo giacinta giacinto
gianluca gianluigi gianfranco gianpaolo giampiero gianmarco giordano giorgina girolamo gisella graziella
guglielmo ignazio ines isabella italo lea letizia liliana livia lorenza luana lucio ludovico maddalena mafalda
marcella matilde melissa natale natalia nazzareno nella norma oreste oscar pamela pierluigi
pierpaolo pina primo quirino renzo rino rolando romeo rosalba rosalia rossana ruggero sabina
santina saverio severino silvano simonetta stella susanna teodoro vanessa vanda virginia viviana wanda
gennaro ciro carmine antonino nunziata annunziata agata
"""

_ENGLISH_TEXT = """
james john robert michael william david richard joseph thomas charles christopher daniel matthew anthony mark
donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason jeffrey ryan jacob
gary nicholas eric jonathan stephen larry justin scott brandon benjamin samuel gregory alexander frank patrick
raymond jack dennis jerry tyler aaron jose adam nathan henry douglas zachary peter kyle ethan walter noah
jeremy christian keith roger terry gerald harold sean austin carl arthur lawrence dylan jesse jordan bryan
billy joe bruce gabriel logan albert willie alan juan wayne elijah randy roy vincent ralph eugene russell
bobby mason philip louis liam oliver lucas harry charlie jackson riley cooper lachlan connor hayden bailey
blake luke max isaac callum jake toby mitchell campbell hamish angus mary patricia jennifer linda elizabeth
barbara susan jessica sarah karen lisa nancy betty margaret sandra ashley kimberly emily donna michelle carol
amanda dorothy melissa deborah stephanie rebecca sharon laura cynthia kathleen amy angela shirley anna brenda
pamela emma nicole helen samantha katherine christine debra rachel carolyn janet catherine maria heather diane
ruth julie olivia joyce virginia victoria kelly lauren christina joan evelyn judith megan andrea cheryl hannah
jacqueline martha gloria teresa ann sara madison frances kathryn janice jean abigail alice judy sophia grace
denise amber doris marilyn danielle beverly isabella theresa diana natalie brittany charlotte marie kayla
alexis lori chloe mia ella ruby jade zoe lily tahlia jasmine georgia holly caitlin sophie isabelle matilda
phoebe jessica bethany chelsea ellie imogen paige tayla courtney brooke shannon
"""

GIVEN_NAMES = frozenset(_ITALIAN_TEXT.split()) | frozenset(_ENGLISH_TEXT.split())

# A name, then the short forms people type for it on an order. A short form is the same person,
# never a relative, even when it is itself a name (Sandro for Alessandro, Enzo for Vincenzo).
_NICKNAMES_TEXT = """
giuseppe: peppe beppe pino peppino giuseppino
giuseppina: pina peppina giusy
francesco: franco checco cecco ciccio
francesca: franci fra checca
alessandro: sandro ale alex
alessandra: sandra ale alex
giovanni: gianni nanni vanni
giovanna: gianna vanna
antonio: tonino toni tony toto
antonella: anto nella
salvatore: toto turi
vincenzo: enzo vince
domenico: mimmo
luigi: gigi gino
roberto: robi berto bob
roberta: robi
massimiliano: max massi
massimo: max
caterina: cate rina
elisabetta: betta elisa eli
emanuele: manu lele
emanuela: manu lele
gabriele: gabri lele
gabriella: gabri ella
federico: fede
federica: fede
valentina: vale
valentino: vale
daniele: dani
daniela: dani
margherita: marghe
filippo: pippo
raffaele: lello raffa
leonardo: leo
lorenzo: enzo renzo
tommaso: tommy
william: will bill billy liam
robert: rob bob bobby robbie
richard: rick ricky dick rich
james: jim jimmy jamie
john: jack johnny
michael: mike mick mickey
thomas: tom tommy
elizabeth: liz lizzie beth betty eliza
margaret: maggie meg peggy
catherine: kate katie cathy cat
katherine: kate katie kathy kat
kathryn: kate katie kathy
jennifer: jen jenny
christopher: chris
christine: chris chrissy
matthew: matt
daniel: dan danny
joseph: joe joey
anthony: tony
edward: ed eddie ted ned
charles: charlie chuck
samuel: sam sammy
samantha: sam sammy
benjamin: ben benny
nicholas: nick nicky
alexander: alex
alexandra: alex sandra
andrew: andy drew
david: dave davey
steven: steve
stephen: steve
patricia: pat patty trish
susan: sue susie
deborah: deb debbie
rebecca: becky bec
jessica: jess jessie
victoria: vicky tori
isabella: bella izzy
isabelle: bella izzy
abigail: abby
jacqueline: jackie
kimberly: kim
"""


def _nickname_pairs() -> dict[str, frozenset[str]]:
    pairs: dict[str, set[str]] = {}
    for line in _NICKNAMES_TEXT.strip().splitlines():
        full, _, short = line.partition(":")
        for nick in short.split():
            pairs.setdefault(full, set()).add(nick)
            pairs.setdefault(nick, set()).add(full)
    return {name: frozenset(others) for name, others in pairs.items()}


_NICKNAMES = _nickname_pairs()


def nicknames(name: str) -> frozenset[str]:
    """The short forms of a name, or the names a short form stands for ("peppe" -> {"giuseppe"})."""
    return _NICKNAMES.get(name, frozenset())


# Gender of the listed names, to tell a husband and wife (Marco/Laura: another person) from a name
# typed over with another of the same gender (Luca/Marco: a sibling, a parent, or a re-submission
# whose given name was replaced). Italian names follow their ending (-o male, -a female) but for
# the exceptions below; the English list is written male names first, then female from "mary".
# Names given to both have no gender here: some by country (Andrea is a man in Italy, a woman in
# England), some to boys and girls alike in one country (Riley, Jordan), which alone can never tell
# a husband from a wife.
_ITALIAN_MALE_A = frozenset(["luca", "nicola", "mattia", "elia", "gianluca"])
_ITALIAN_FEMALE_OTHER = frozenset(["beatrice", "irene", "noemi", "rachele", "alice", "miriam", "agnese", "adele",
                                   "denise", "ester", "ines", "matilde"])
_UNISEX = frozenset(["riley", "bailey", "jordan", "hayden", "jesse"])
_EITHER = _UNISEX | frozenset(["andrea", "jean"])


def _genders() -> dict[str, str]:
    found: dict[str, str] = {}
    for name in _ITALIAN_TEXT.split():
        female = name in _ITALIAN_FEMALE_OTHER or (name.endswith("a") and name not in _ITALIAN_MALE_A)
        found[name] = "f" if female else "m"
    english = _ENGLISH_TEXT.split()
    first_female = english.index("mary")
    for i, name in enumerate(english):
        found.setdefault(name, "f" if i >= first_female else "m")
    return {name: g for name, g in found.items() if name not in _EITHER}


_GENDERS = _genders()


def either_gender(name: str) -> bool:
    """A listed name given to both men and women (Andrea, Jordan)."""
    return name in _EITHER


def unisex(name: str) -> bool:
    """A listed name given to boys and girls alike in one country (Riley, Jordan), unlike Andrea, whose
    gender depends on the country."""
    return name in _UNISEX


def gender(name: str) -> str:
    """"m", "f" or "" (unknown or either): the list's gender, else an Italian ending (-o male, -a female)
    for a name of four letters or more that is not on the list (Brando, Nausicaa)."""
    known = _GENDERS.get(name)
    if known is not None or name in _EITHER:
        return known or ""
    if len(name) >= 4 and name.isalpha():
        male = name.endswith("o") or name.startswith("gian")  # Gianmaria, Gianluca
        female = name.endswith("a") or name.startswith(("maria", "anna"))  # Mariasole, Annalaura
        return "m" if male else "f" if female else ""
    return ""
