"""Language data for the normaliser: plain data, no logic (like spaCy's ``lang/id/stop_words.py``).

The slang map is a compact list written for this project from common Indonesian social-media spellings.
"""

SLANG = {
    # negation
    "gk": "tidak", "ga": "tidak", "gak": "tidak", "nggak": "tidak", "ngga": "tidak", "enggak": "tidak",
    "engga": "tidak", "kagak": "tidak", "kaga": "tidak", "tdk": "tidak", "g": "tidak", "gx": "tidak",
    "ndak": "tidak", "nda": "tidak", "ora": "tidak",
    # function words
    "yg": "yang", "yng": "yang", "dgn": "dengan", "dg": "dengan", "utk": "untuk", "untk": "untuk",
    "tuk": "untuk", "dr": "dari", "dri": "dari", "krn": "karena", "karna": "karena", "krna": "karena",
    "tp": "tapi", "tpi": "tapi", "klo": "kalau", "kalo": "kalau", "kl": "kalau", "sm": "sama",
    "ama": "sama", "jg": "juga", "jga": "juga", "aja": "saja", "aj": "saja", "sj": "saja", "lg": "lagi",
    "lgi": "lagi", "trs": "terus", "trus": "terus", "skrg": "sekarang", "skrng": "sekarang",
    "sdh": "sudah", "udh": "sudah", "udah": "sudah", "dah": "sudah", "uda": "sudah", "blm": "belum",
    "blum": "belum", "msh": "masih", "masi": "masih", "bs": "bisa", "bsa": "bisa", "bgt": "banget",
    "bngt": "banget", "bgtt": "banget", "bener": "benar", "bnr": "benar", "gmn": "bagaimana",
    "gimana": "bagaimana", "knp": "kenapa", "napa": "kenapa", "org": "orang", "orng": "orang",
    "jgn": "jangan", "jngn": "jangan", "jangn": "jangan", "sy": "saya", "gw": "gue",
    "gua": "gue", "w": "gue", "lu": "lo", "loe": "lo", "elo": "lo", "km": "kamu", "kmu": "kamu",
    "kalian2": "kalian", "pd": "pada", "dlm": "dalam", "sbg": "sebagai", "spt": "seperti",
    "kyk": "kayak", "kek": "kayak", "kaya": "kayak", "emg": "memang", "emang": "memang", "mmg": "memang",
    "sampe": "sampai", "smpe": "sampai", "smp": "sampai", "ato": "atau", "atw": "atau", "n": "dan",
    "bkn": "bukan", "bukn": "bukan", "tau": "tahu", "tw": "tahu",
    "liat": "lihat", "ngeliat": "melihat", "mo": "mau", "pengen": "ingin", "pgn": "ingin",
    "hrs": "harus", "bnyk": "banyak", "byk": "banyak",
    "sdikit": "sedikit", "dikit": "sedikit", "kmrn": "kemarin", "kemaren": "kemarin", "bsk": "besok",
    "tgl": "tanggal", "tgal": "tanggal", "td": "tadi", "tdi": "tadi", "ntar": "nanti", "nti": "nanti",
    "aq": "aku", "ak": "aku",
    # politics-flavoured spellings
    "nyoblos": "coblos", "nyoblosnya": "coblos", "nomer": "nomor", "nmr": "nomor",
    # exclamations and fillers
    "gaes": "guys", "gais": "guys", "gaiss": "guys", "wkwkwk": "wkwk", "wkwkwkwk": "wkwk", "hahaha": "haha",
    "mantul": "mantap", "mantab": "mantap", "mntp": "mantap", "mantep": "mantap", "gaskeun": "gas", "gasss": "gas",
    "yuk": "ayo", "yok": "ayo", "kuy": "ayo", "ayok": "ayo", "ayuk": "ayo", "makasih": "terima kasih",
    "mksh": "terima kasih", "thx": "terima kasih", "tq": "terima kasih",
    "aamiin": "amin", "aamin": "amin", "amiin": "amin", "aminn": "amin",
}

# Written ASCII forms are matched case-insensitively; emoji are matched after variation selectors
# and skin tones are removed. Each maps to one feature token.
GESTURE_EMOJI = {
    "\u261d": "jari_1",        # ☝ index finger: salam satu jari (01)
    "\U0001f446": "jari_1",    # 👆
    "\u270c": "jari_2",        # ✌ V sign: salam dua jari (02)
    "\U0001f91f": "jari_3",    # 🤟 love-you gesture: salam tiga jari / metal (03)
    "\U0001f918": "jari_3",    # 🤘 sign of the horns
    "\U0001f44c": "jari_3",    # 👌 OK hand, three fingers up
    "1\u20e3": "nomor_1",      # keycap 1️⃣
    "2\u20e3": "nomor_2",
    "3\u20e3": "nomor_3",
    "4\u20e3": "nomor_4",
}

# Some tools and datasets write emoji as their Unicode names in angle brackets ("<Victory Hand>").
EMOJI_NAMES = {
    "index pointing up": "\u261d", "backhand index pointing up": "\U0001f446", "victory hand": "\u270c",
    "love-you gesture": "\U0001f91f", "love you gesture": "\U0001f91f", "sign of the horns": "\U0001f918",
    "ok hand": "\U0001f44c", "thumbs up": "\U0001f44d", "flag: indonesia": "\U0001f1ee\U0001f1e9",
    "red heart": "\u2764", "fire": "\U0001f525", "folded hands": "\U0001f64f", "face with tears of joy": "\U0001f602",
    "flexed biceps": "\U0001f4aa", "clapping hands": "\U0001f44f", "trophy": "\U0001f3c6",
}

NUMBER_WORDS = {
    "satu": "1", "dua": "2", "tiga": "3", "empat": "4", "lima": "5", "enam": "6", "tujuh": "7",
    "delapan": "8", "sembilan": "9", "sepuluh": "10",
}

# Words used to split an all-lower-case hashtag (#prabowogibran2024 → prabowo gibran 2024). Camel-case
# hashtags are split without it.
HASHTAG_WORDS = frozenset("""
    prabowo gibran anies muhaimin imin ganjar mahfud jokowi amin maruf sandi sandiaga ahok djarot agus sylvi
    ahy basuki ridwan kamil rido pramono rano doel dharma khofifah emil risma luthfi yasin andika hendi
    airin andra bobby edy dedi syaikhu ilham jeje ronal acep
    presiden capres cawapres pilpres pemilu pilkada pileg ganti lagi lanjut lanjutkan menang tolak asal bukan
    bersama indonesia maju adil makmur perubahan satu dua tiga putaran gerak cepat sat set gemoy salam jari
    netral asn damai pemilu pemiludamai cek fakta hoaks tolak politik uang
    gerindra golkar pdip pdi perjuangan nasdem pks pkb pan ppp psi perindo hanura demokrat gelora garuda
    buruh ummat pbb pkn
""".split())

# Words that name a contestant (2017–2024 presidential and major Pilkada candidates, their nicknames) or a party
# with an unambiguous name. After such a word the tokeniser adds a class token, so what the model learns about
# praise or mockery of one contestant carries over to another, e.g. from 2024 rows to a 2017 tweet. Words that
# are also everyday words or common first names are left out: agus, abah, amin (prayer), sandi (password), ilham,
# dharma, yasin, gus; party acronyms that collide with other things (PKB, PAN, PBB, Garuda, Gelora) likewise.
CONTESTANT_WORDS = frozenset("""
    prabowo wowo gibran gemoy anies baswedan muhaimin imin ganjar mahfud jokowi jkw mulyono widodo maruf ma'ruf
    sandiaga ahok basuki btp djarot ahy sylvi sylviana kaesang bobby nasution khofifah dardak risma rismaharini
    ridwan kamil rk kdm mulyadi pramono rano doel andika hendi luthfi airin edy rahmayadi syaikhu pongrekun
    suswono rido
""".split())
PARTY_WORDS = frozenset("pdip gerindra golkar nasdem pks perindo hanura".split())
