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
mariagrazia carmela carmelo concetta rosaria rosario assunta immacolata filomena ida iolanda lina marco
michelangelo nino nina pasquale pasqualina santo santa sebastiano tullio ugo vito vita corrado dino dina enzo
ezio igor lino loredana manuela milena mirko ottavia patrizio ornello remo romano romana sonia tania tommasa
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
