"""Fans' names → the name a display policy shows (pure).

``privacy.author_display`` shows a fan as "Romain L." (``first_initial``), "Romain"
(``first``) or in full. Names come as people write them on forms, not always as
"First Last", and a surname taken for a first name is published whole. So:

- civility titles are dropped (``Mme Marie Dupontel`` → "Marie D."), and a name left
  with a single word after a title is a surname (``Mme Dupontel`` → nothing);
- a comma puts the surname first (``Dupontel, Marie`` → "Marie D.");
- a word in capitals is the surname when other words are not (``DUPONTEL Marie``, the
  French administrative order → "Marie D.");
- a name that starts with a particle starts with the surname (``de Villiers Anne``);
- when the order cannot be told (everything in capitals, or a short capital word that
  may be initials: ``MARIE DUPONTEL``, ``JP Dupontel``), only initials are shown
  ("M. D.").

Without any of these signs a name reads "First Last", the first word being the first
name and the surname starting at the first particle or at the last word. Except:

- a name that starts with a word in Chinese characters, kana or Hangul is written family
  name first (``王 小明``, ``山田 太郎``, ``김 민수``): the given name is what follows; one with
  no space (``王小明``) cannot be cut, and shows nothing beyond what ``full`` allows. The
  initial of such a surname would be the surname itself (``王``): it is never shown;
- a name that starts with a Vietnamese family name (``Nguyễn Văn An``, ``Tran Thi Mai``,
  ``Lê An``), or a Chinese, Korean or Japanese one in Latin letters (``Wang Xiaoming``, ``Kim
  Min-su``, ``Tanaka Hiroshi``), may be written family name first, or given name first (``Hoang
  Dupont``, ``Kim Dupont``): which cannot be told, so only initials are shown ("N. A.");
- a name written as a user name (``jean.dupont``, ``Jean_Dupont``, ``JeanDupont``,
  ``jean-dupont-75``) shows initials only, for the same reason; after a title, such a word is
  a surname (``Mme Dupont_Marie`` → nothing); a name holding an email address, a handle or a
  phone number shows nothing.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex

from storysite.labels.policy import fold, tokens
from storysite.personaldata import personal_data_in
from storysite.textclean import without_invisible

#: Civility titles written before a name (compared case-folded, without a final dot).
TITLES = frozenset({
    "m", "mm", "mr", "mrs", "ms", "mx", "miss", "messrs", "dr", "drs", "pr", "prof", "me", "mme", "mmes",
    "mlle", "mlles", "madame", "mesdames", "monsieur", "messieurs", "mademoiselle", "mesdemoiselles",
    "docteur", "professeur", "maître", "maitre", "herr", "frau", "sra", "srta",
})
#: Words joining two titles ("M. et Mme Dupontel").
_TITLE_JOINS = frozenset({"et", "and", "&", "und", "y"})
#: Surname particles ("Jean de La Fontaine", "Ludwig van Beethoven"), compared case-folded.
PARTICLES = frozenset({
    "de", "du", "des", "la", "le", "van", "von", "der", "den", "ter", "ten", "vander", "vom", "zu", "zur",
    "di", "da", "del", "della", "dei", "degli", "do", "dos", "das", "af", "av", "st", "ste", "saint", "sainte",
})
#: Elided particles written against the surname ("d'Alembert", "l’Herminier").
_ELIDED = ("d'", "d’", "l'", "l’")
#: Generational suffixes after a name ("John Smith Jr.").
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_VOWELS = frozenset("aeiouy")
#: Vietnamese family names, compared case-folded without their accents; those that are given
#: names or particles elsewhere (Mai, Lam, Le, Ho, Ly, Do, Vu…) only as Vietnamese writes them.
VIETNAMESE_SURNAMES = frozenset({
    "nguyen", "tran", "pham", "huynh", "hoang", "phan", "dang", "bui", "ngo", "duong", "truong", "trinh",
    "dinh", "doan", "vuong", "luong", "quach",
})
VIETNAMESE_WRITTEN_SURNAMES = frozenset({
    "lê", "hồ", "võ", "vũ", "đỗ", "lý", "lâm", "mạc", "tạ", "tô", "hà", "châu", "đào", "đoàn", "lưu", "cao",
})
#: Chinese (pinyin), Korean and Japanese family names in Latin letters, compared case-folded
#: without accents: such names are written family name first (``Wang Xiaoming``, ``Kim Min-su``,
#: ``Tanaka Hiroshi``) as often as given name first. Left out: those that are also common given
#: names or words where these lists are read (An, Mai, Jo, Oh, Son, Go, Im).
ROMANIZED_SURNAMES = frozenset({
    # Chinese
    "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu",
    "hu", "guo", "he", "gao", "lin", "luo", "zheng", "liang", "xie", "song", "tang", "han", "feng", "deng",
    "cao", "peng", "zeng", "xiao", "tian", "dong", "pan", "yuan", "cai", "jiang", "yu", "du", "ye", "cheng",
    "wei", "su", "lu", "ding", "ren", "shen", "yao", "cui", "zhong", "tan", "fan", "jin", "lei", "hou",
    "duan", "hao", "kong", "shao", "shi", "mao", "qiu", "qin", "jia", "xiong", "meng", "bai", "dai", "fu",
    "fang", "zou", "xue", "yin", "gu", "qian", "wen", "chan", "wong", "leung", "cheung", "ng", "lau", "tsang",
    # Korean
    "kim", "lee", "yi", "park", "pak", "choi", "choe", "jung", "jeong", "chung", "kang", "cho", "yoon", "yun",
    "jang", "chang", "lim", "seo", "suh", "shin", "kwon", "hwang", "ahn", "yoo", "ryu", "hong", "jeon", "chun",
    "moon", "bae", "baek", "paik", "heo", "huh", "nam", "noh", "roh",
    # Japanese
    "sato", "suzuki", "takahashi", "tanaka", "watanabe", "ito", "yamamoto", "nakamura", "kobayashi", "kato",
    "yoshida", "yamada", "sasaki", "yamaguchi", "matsumoto", "inoue", "kimura", "hayashi", "shimizu",
    "yamazaki", "mori", "abe", "ikeda", "hashimoto", "ishikawa", "ogawa", "okada", "maeda", "fujita", "goto",
})


@dataclass(frozen=True)
class NameParts:
    """A name cut into given names and surname; ``known`` is false when the order is a guess
    too uncertain to show more than initials."""

    given: tuple[str, ...]
    surname: tuple[str, ...]
    known: bool = True
    written: tuple[str, ...] = ()
    """The words as written, when ``given`` and ``surname`` do not give them back in that
    order (names written family name first)."""


def display_name(name: str, policy: str) -> str:
    """A full name as the display policy shows it ("Romain Lefèvre" → "Romain L.").

    Never more than the policy allows: under ``first_initial`` and ``first`` no surname is
    shown beyond its initial, whatever the order the name is written in (module docstring).
    """
    if policy == "anonymous" or "@" in name or personal_data_in(name):
        # An email address, a handle (@pierre_durand) or a phone number is not a name to show.
        return ""
    parts = split_name(name)
    if not parts.known:
        words = (*parts.given, *parts.surname)
        if policy == "full":
            return " ".join(parts.written or words)
        initials = [_initial(words[0])] if policy == "first" or len(words) == 1 else \
            [_initial(words[0]), _initial(words[-1])]
        # The "initial" of a word in Chinese characters, kana or Hangul is the word itself.
        return " ".join(f"{letter}." for letter in initials if letter and not _east_asian(letter))
    if policy == "full":
        return " ".join(parts.written or (*parts.given, *parts.surname))
    first = parts.given[0] if parts.given else ""
    if policy == "first" or not first:
        return first
    initial = _surname_initial(parts.surname)
    # The "initial" of a family name in Chinese characters, kana or Hangul is the name itself.
    return f"{first} {initial}." if initial and not _east_asian(initial) else first


def folded_words(text: str) -> list[str]:
    """The words of ``text`` folded as the label policy folds them (capitals, accents and
    look-alikes away): "Lefèvre" and "LEF3VRE" are both "lefevre"."""
    return tokens(fold(text))


def hidden_name_words(name: str, shown: str) -> dict[str, str]:
    """The words of ``name`` that ``shown`` (the name as published) leaves out, folded (see
    :func:`folded_words`), each with the word as written; particles, titles and initials are
    not counted: they name no one."""
    visible = set(folded_words(shown))
    hidden: dict[str, str] = {}
    for word in unicodedata.normalize("NFC", name).replace(",", " ").split():
        if _bare(word) in TITLES or _bare(word) in _SUFFIXES or _kind(word) in ("particle", "initials"):
            continue
        for token in folded_words(word):
            if len(token) > 1 and token not in PARTICLES and token not in visible:
                hidden.setdefault(token, word)
    return hidden


def split_name(name: str) -> NameParts:
    """``name`` cut into given names and surname, civility titles left out."""
    # Characters that draw nothing (a zero-width space, a soft hyphen, a word joiner) would hide
    # a name's shape: "Marie\u200bDupontel" reads "MarieDupontel", two words run together.
    name = without_invisible(unicodedata.normalize("NFC", name))
    written, titled = _without_titles(name.split())
    written = _without_suffixes(written)
    if titled and len(written) == 1:
        return NameParts((), tuple(written))  # "Mme Dupont_Marie": a title comes before a surname
    if any(_user_name(word) for word in written):
        # jean.dupont, dupont_jean Lyon, JeanDupont, jean-dupont-75: which part is the surname?
        # Initials only.
        parts = [part for word in written for part in _USER_NAME_PARTS.findall(word)]
        return NameParts(tuple(parts) or tuple(written), (), known=False, written=tuple(written))
    if "," in name:
        surname, given = name.split(",", 1)
        given_words = _without_suffixes(_without_titles(given.replace(",", " ").split())[0])
        if not given_words or _bare(given_words[0]) not in _SUFFIXES:  # not "John Smith, Jr."
            return NameParts(tuple(given_words), tuple(_without_titles(surname.split())[0]))
        name = surname
    words, titled = _without_titles(name.split())
    words = _without_suffixes(words)
    if not words:
        return NameParts((), ())
    if titled and len(words) == 1:
        return NameParts((), tuple(words))  # "Mme Dupontel": a title comes before a surname
    if _east_asian(words[0]):
        # 王 小明, 山田 太郎: family name first; 王小明 cannot be cut (all of it may be the surname).
        return NameParts(tuple(words[1:]), tuple(words[:1]), written=tuple(words))
    if _surname_written_first(words[0]):
        # Nguyễn Văn An, Kim Min-su (family name first) or Hoang Dupont (given name first)?
        return NameParts(tuple(words), (), known=False)
    kinds = [_kind(word) for word in words]
    if "maybe-initials" in kinds or ("caps" in kinds and "other" not in kinds and "initials" not in kinds):
        # MARIE DUPONTEL or DUPONTEL MARIE, JP Dupontel or NG Marie: which is the surname?
        return NameParts(tuple(words), (), known=False)
    if "caps" in kinds:
        # DUPONTEL Marie, Marie de LA FONTAINE: capitals mark the surname, particles go with it.
        pairs = list(zip(words, kinds, strict=True))
        return NameParts(tuple(w for w, k in pairs if k in ("other", "initials")),
                         tuple(w for w, k in pairs if k in ("caps", "particle", "elided")))
    if kinds[0] in ("particle", "elided"):
        # de Villiers Anne, d'Alembert Jean: the surname comes first, ending at its first full word.
        end = next((i for i, k in enumerate(kinds) if k != "particle"), len(words)) + 1
        return NameParts(tuple(words[end:]), tuple(words[:end]))
    if len(words) == 1:
        return NameParts(tuple(words), ())
    # First Last: the surname starts at the first particle after the first name, else it is the last word.
    start = next((i for i, k in enumerate(kinds) if i > 0 and k in ("particle", "elided")), len(words) - 1)
    return NameParts(tuple(words[:start]), tuple(words[start:]))


# A name written as a user name: words joined by signs other than a hyphen or an apostrophe
# ("jean.dupont", "Jean_Dupont", "jean+dupont", "J.Dupont"), digits ("jean-dupont-75"), or two
# words run together ("JeanDupont"; not "DeShawn", "McDonald", "JoAnn": two letters before the
# capital, nor the surname prefixes written so: "MacArthur", "FitzGerald", "VanDyke", "DelValle"),
# also with a mark or a format character between them ("Marie\u0332Dupontel" shows MarieDupontel).
# "J.-P." is initials, not one; marks, joiners (ZWJ, ZWNJ), dashes and the
# apostrophes and signs names are written with (ʼ, ׳, Catalan l·l) belong to words.
_USER_NAME = regex.compile(
    r"[^\p{L}\p{M}\p{Cf}\p{Pd}\s'’ʼ׳״.,]|\.(?=\p{L}{2})|\p{L}{2}\.(?=\p{L})|(?<=\p{L}{2}\p{Ll}[\p{M}\p{Cf}]*)(?<!(?<!\p{L})(?:Mac|Fitz|Van|Von|Del|Dela|Della))\p{Lu}\p{Ll}{2}")
_CATALAN_L = regex.compile(r"(?<=[lL])·(?=[lL])")
# Its parts: runs of letters (with their marks), a capital starting a new one.
_USER_NAME_PARTS = regex.compile(r"\p{Lu}?[\p{Ll}\p{Lo}\p{Lm}\p{M}]+|[\p{L}\p{M}]+")


def _user_name(word: str) -> bool:
    return bool(_USER_NAME.search(_CATALAN_L.sub("", word)))


def _east_asian(word: str) -> bool:
    """Whether ``word`` has Chinese characters, kana or Hangul (scripts that write the family
    name first, without case, where one character may be the whole surname)."""
    for char in word:
        if char.isalpha() and ord(char) >= 0x1100:
            name = unicodedata.name(char, "")
            if name.startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL", "HALFWIDTH KATAKANA",
                                "HALFWIDTH HANGUL")):
                return True
    return False


def _surname_written_first(word: str) -> bool:
    """Whether ``word`` is a family name of a language that writes it first: Vietnamese
    (:data:`VIETNAMESE_SURNAMES`, or as Vietnamese writes it: :data:`VIETNAMESE_WRITTEN_SURNAMES`),
    or Chinese, Korean or Japanese in Latin letters (:data:`ROMANIZED_SURNAMES`)."""
    written = unicodedata.normalize("NFC", word.casefold())
    plain = "".join(c for c in unicodedata.normalize("NFKD", written.replace("đ", "d"))
                    if not unicodedata.combining(c))
    return (plain in VIETNAMESE_SURNAMES or plain in ROMANIZED_SURNAMES
            or written in VIETNAMESE_WRITTEN_SURNAMES)


def _without_titles(words: list[str]) -> tuple[list[str], bool]:
    """``words`` without the civility titles they start with, and whether there were any."""
    words = list(words)
    titled = False
    while words and (_bare(words[0]) in TITLES
                     or (len(words) > 1 and _bare(words[0]) in _TITLE_JOINS and titled)):
        words.pop(0)
        titled = True
    return words, titled


def _without_suffixes(words: list[str]) -> list[str]:
    """``words`` without the generational suffixes they end with ("Jr.")."""
    words = list(words)
    while len(words) > 1 and _bare(words[-1]) in _SUFFIXES:
        words.pop()
    return words


def _bare(word: str) -> str:
    return word.casefold().strip(".()")


def _letters(word: str) -> str:
    return "".join(c for c in word if c.isalpha())


def _kind(word: str) -> str:
    """``particle`` (de), ``elided`` (a surname with its particle: d'Alembert), ``initials`` (J.,
    J.-P.), ``maybe-initials`` (JP: or a short surname such as NG), ``caps`` (a word in capitals:
    a surname) or ``other``."""
    if _bare(word) in PARTICLES:
        return "particle"
    if word.casefold().startswith(_ELIDED) and len(_letters(word)) > 1 and not word.isupper():
        return "elided"
    runs = "".join(c if c.isalpha() else " " for c in word).split()
    if runs and all(len(run) == 1 for run in runs):
        return "initials"
    letters = _letters(word)
    cased = [c for c in letters if c.isupper() or c.islower()]
    if len(cased) < 2 or any(c.islower() for c in cased):
        return "other"
    plain = unicodedata.normalize("NFKD", letters.casefold())
    if len(letters) <= 3 and not _VOWELS.intersection(plain):
        return "maybe-initials"
    return "caps"


def _initial(word: str) -> str:
    for elided in _ELIDED:
        if word.casefold().startswith(elided) and len(word) > len(elided):
            word = word[len(elided):]
            break
    letters = _letters(word)
    return letters[0].upper() if letters else ""


def _surname_initial(surname: tuple[str, ...]) -> str:
    """The initial of the surname's first full word ("de La Fontaine" → "F")."""
    for word in surname:
        if _kind(word) != "particle":
            initial = _initial(word)
            if initial:
                return initial
    return _initial(surname[0]) if surname else ""
