"""A bilingual thesaurus of everyday concepts for the local classifier.

Morphology (``notes.ai.morphology``) already knows that "купила", "купить" and
"куплю" are one word; what it cannot know is that "молоко" and "продукты", or
"itinerary" and "hotel", belong to one area of life. Each concept below lists
words of one such area (Russian and English) that people keep notes about. A
note and a topic description that both touch a concept share a feature, as if
they shared a word.

Entries are written in any form: they are reduced by the same morphology as the
notes, so each entry stands for all its forms. An entry ending in ``*`` matches
every word whose dictionary form starts with it — derived and compound words
("путешеств*": путешествие, путешествовать, путешественник; "вело*":
велосипед, велозаезд), which no dictionary lists as forms of one word.

The lists are general vocabulary written for any owner's archive, not for a
particular data set: they name no titles, places or people. ``DOMAINS`` names
well-known sites whose links say what kind of thing they point to.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from urllib.parse import urlsplit

from notes.ai.morphology import lemma

CONCEPTS: dict[str, str] = {
    "food": """
        мороженое пельмени майонез кетчуп хлопья овсянка мед варенье вино пиво продукт продукты
        еда молоко кефир йогурт сметана творог сыр сливки масло яйцо хлеб батон булка мука сахар
        соль крупа гречка рис макароны мясо курица говядина свинина фарш колбаса сосиска рыба
        овощ фрукт ягода яблоко банан апельсин лимон картошка картофель морковь лук чеснок
        помидор томат огурец капуста свекла зелень чай кофе сок печенье конфета шоколад орех
        wine beer honey oats food grocery groceries milk bread butter cheese egg eggs flour
        sugar salt rice pasta meat chicken beef pork fish vegetable fruit apple banana lemon
        potato tomato onion garlic tea coffee juice yogurt cereal snack
    """,
    "cooking": """
        мультиварка блендер миксер запеканка каша омлет блин заготовка рецепт приготовить
        готовить готовка жарить обжарить варить сварить запечь запекать тушить духовка сковорода
        кастрюля ложка стакан грамм порция блюдо салат суп борщ соус тесто начинка выпечка пирог
        торт кулинар* ингредиент вкус завтрак обед ужин гарнир маринад мариновать градус огонь
        испечь печь взбить нарезать
        grill blend whisk marinade serving preheat recipe cook cooking bake baking fry boil
        roast oven pan skillet tablespoon teaspoon tbsp tsp cup gram ingredient dish sauce dough
        salad soup dinner lunch breakfast meal stir simmer chop
    """,
    "shopping": """
        приобрести прикупить докупить закупиться закупка скидка распродажа примерить купить
        покупка покупать магазин заказать заказ маркетплейс корзина закончиться батарейка
        лампочка губка салфетка порошок мыло шампунь пакет фильтр вещь список кроссовки одежда
        обувь куртка штаны свитер носки бумага средство доставка
        sale discount restock buy buying purchase shop shopping store order batteries bulb
        detergent soap shampoo supplies list clothes shoes delivery cart
    """,
    "home": """
        жилье подъезд лифт обои плитка ламинат покраска штукатурка окно дверь замок отопление
        вентиляция кондиционер стиралка микроволновка чайник утюг дом домашний квартира ремонт
        кухня спальня ванна ванная туалет балкон коридор комната мебель диван шкаф полка
        сантехник сантехника электрик электричество проводка мастер смеситель кран труба протечь
        протекать течь капать розетка лампа пылесос стиральный холодильник посудомойка бытовой
        техника роутер интернет коммунальный коммуналка счетчик показание квитанция жкх аренда
        уборка ключ сосед управляющий дача
        heating boiler wallpaper paint window door lock maintenance leak dishwasher appliance
        wifi home house flat apartment kitchen bedroom bathroom repair plumber plumbing
        electrician furniture sofa fridge laundry rent utilities router landlord
    """,
    "health": """
        педиатр окулист невролог кардиолог гинеколог лор хирург дерматолог направление диагноз
        лечение лечить кашель насморк горло аллергия укол рентген флюорография медицинский
        здоровье врач доктор терапевт стоматолог зуб болеть боль анализ кровь давление
        температура таблетка лекарство аптека витамин прививка поликлиника больница клиника узи
        мрт прием записаться самочувствие сон спать бессонница простуда спина голова колено
        гемоглобин диета вес
        therapist checkup prescription diagnosis allergy cough flu fever surgery dose health
        doctor dentist clinic hospital pain ache medicine pill pharmacy vitamin blood vaccine
        appointment sleep symptom headache
    """,
    "sport": """
        футбол теннис хоккей лыжи коньки турник пресс кардио разминка шагомер секция забег
        соревнование триатлон спорт тренировка тренироваться пробежка бегать бег пробежать
        километр км пульс темп бассейн плавать проплыть плавание вело* зал фитнес йога растяжка
        отжимание подтягивание приседание штанга гантель марафон абонемент тренер рекорд
        tennis football soccer ski stretch cardio race triathlon reps squat weights hike hiking
        sport workout training run running gym swim swimming pool bike cycling yoga fitness
        marathon pace
    """,
    "money": """
        сбережение копить накопить пенсия вычет декларация ндфл выписка баланс процент валюта
        доллар евро брокер дивиденд облигация деньги финансы финансовый счет оплата оплатить
        заплатить платеж плата зарплата доход расход трата тратить налог подписка списывать
        списать рубль кредит ипотека долг должен задолжать одолжить занять займ вернуть отдать
        перевести перевод карта вклад инвест* акция бюджет банк страховка страховой полис штраф
        чек стоить стоимость цена абонемент
        savings pension dividend bond broker currency dollar euro transfer reimburse money
        finance financial bill invoice pay payment salary income expense spend spent tax
        subscription debt loan lend borrow owe repay refund mortgage invest stock budget bank
        insurance cashback price cost
    """,
    "travel": """
        путевка тур круиз кемпинг поход палатка трансфер посольство консульство шенген пляж
        курорт поездка поехать путешеств* билет поезд самолет авиа* перелет рейс отель гостиница
        хостел бронирование забронировать виза паспорт загранпаспорт граница аэропорт вокзал
        маршрут экскурсия турист* море отпуск страна город вылет прилет чемодан багаж
        достопримечательность музей
        cruise resort beach camping embassy layover boarding departure arrival trip travel
        ticket flight plane train hotel hostel booking visa passport airport itinerary tour
        vacation holiday sightseeing museum luggage
    """,
    "book": """
        глава издательство бестселлер биография мемуары книга книжка прочитать читать перечитать
        дочитать автор роман том повесть рассказ цитата библиотека литература издание аудиокнига
        писатель
        chapter publisher bestseller biography memoir kindle ebook book novel author read
        reading reread quote literature library audiobook paperback writer
    """,
    "film": """
        мультсериал документальный оскар фильм сериал кино кинотеатр сезон серия режиссер актер
        актриса мультфильм мультик аниме премьера трейлер пересмотреть просмотр
        documentary sitcom streaming screening film movie series season episode show director
        actor actress cinema anime cartoon trailer
    """,
    "reading": """
        публикация обзор тред колонка вебинар ютуб хабр статья ссылка пост блог видео доклад
        лекция подкаст почитать прочитать посмотреть конференция рассылка выпуск
        essay writeup whitepaper webinar keynote slides thread youtube arxiv article post blog
        paper talk video podcast read newsletter link conference preprint pdf watch
    """,
    "study": """
        семинар зачет диплом курсовой репетитор учебник задачник олимпиада учеба учиться выучить
        изучить изучать курс лекция конспект экзамен сессия урок домашка математика алгебра
        английский грамматика глагол слово словарь язык программирование университет универ
        школа
        homework textbook tutor seminar degree study course lecture lesson exam learn learning
        tutorial grammar vocabulary math university school
    """,
    "work": """
        продакшен инцидент алерт мониторинг рефакторинг реквест задеплоить выкатить откатить
        хотфикс спринт бэклог джира менеджер работа задача релиз баг ошибка сервис деплой прод
        сервер логи ревью код мерж ветка дедлайн срок коллега проект тикет таск сборка тимлид
        тест миграция
        incident outage hotfix rollback sprint backlog jira refactor pr work task release bug
        fix deploy prod server logs review code merge branch deadline colleague project ticket
        migration
    """,
    "todo": """
        забыть запланировать организовать подготовить согласовать подписать заполнить задача
        дедлайн срок продлить истекать истечь напомнить отправить сдать подать оформить успеть
        prepare organize schedule sign fill finish complete asap urgent task todo deadline due
        overdue renew expire expiry remind reminder follow chase send submit action
    """,
    "meeting": """
        совещание встретиться созвониться итог договоренность встреча созвон звонок митинг синк
        обсудить договориться решить повестка протокол планерка
        kickoff meeting meet sync call discuss agree decide agenda minutes standup recap
    """,
    "code": """
        регулярка однострочник алиас код скрипт конфиг терминал команда
        alias oneliner awk sed jq vim makefile yaml json javascript typescript query function
        git docker kubectl bash sql python grep sudo ssh npm pip command snippet script config
        shell terminal curl cli regex
    """,
    "people": """
        зовут познакомиться адрес контакт телефон номер знакомый знакомство человек друг люди
        почта
        introduce address contact phone number birthday intro people person friend email
    """,
    "hiring": """
        соискатель интервьюер тестовое скрининг грейд кандидат собеседование вакансия резюме
        найм нанять оффер рекрутер
        applicant onsite screening shortlist headcount hr candidate interview hire hiring
        recruit recruiter resume cv offer role position job
    """,
    "gift": """
        сюрприз поздравить поздравление открытка букет свадьба подарок подарить рождение
        праздник новогодний юбилей годовщина
        surprise wedding congratulate wishlist valentine gift present birthday anniversary
        christmas
    """,
    "idea": """
        концепт прототип гипотеза задумка замысел изобрести придумать идея приложение бот
        стартап сервис продукт бизнес проект фича автоматизировать мысль
        concept prototype hypothesis brainstorm suggestion idea app startup product feature
        experiment improve improvement feedback
    """,
}

# Sites whose links say what they are; a link's host (or a parent domain) is looked up here.
DOMAINS: dict[str, str] = {
    "reading": """
        arxiv.org medium.com substack.com habr.com dev.to hackernoon.com ssrn.com
        semanticscholar.org researchgate.net acm.org ieee.org springer.com nature.com
        sciencedirect.com openreview.net paperswithcode.com vc.ru tproger.ru infoq.com
    """,
    "film": "kinopoisk.ru imdb.com netflix.com ivi.ru okko.tv kion.ru letterboxd.com",
    "book": "livelib.ru goodreads.com litres.ru labirint.ru bookmate.ru",
    "travel": """
        booking.com airbnb.com tripadvisor.com aviasales.ru skyscanner.net tutu.ru ostrovok.ru
        expedia.com
    """,
    "code": "github.com gitlab.com stackoverflow.com gist.github.com pypi.org",
    "hiring": "hh.ru linkedin.com/jobs indeed.com",
    "shopping": "ozon.ru wildberries.ru market.yandex.ru amazon.com aliexpress.com avito.ru",
    "cooking": "eda.ru povarenok.ru allrecipes.com",
}

# Videos may be anything; a talk or a lecture is the usual reason to keep one.
VIDEO_DOMAINS = frozenset({"youtube.com", "youtu.be", "vimeo.com", "rutube.ru"})

_URL = re.compile(r"https?://\S+")
_PHONE = re.compile(r"\+?\d[\d\s().-]{8,}\d")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_CODE = re.compile(r"(^|\s)(--?[a-z][\w-]*|\|\s*\w+|\$\(|&&|#\s)|[{}<>]=?|\w+=\S|`|\\[a-z]\b")
_MONEY = re.compile(r"[₽$€£]|\d\s?(руб|р\.|usd|eur|тыс)", re.IGNORECASE)


@cache
def _tables() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]], int]:
    """Concepts of each lemma, and of each lemma prefix (``*`` entries)."""
    exact: dict[str, set[str]] = {}
    prefixes: dict[str, set[str]] = {}
    for concept, vocabulary in CONCEPTS.items():
        for entry in vocabulary.lower().replace("ё", "е").split():
            if entry.endswith("*"):
                prefixes.setdefault(entry[:-1], set()).add(concept)
                continue
            base = lemma(entry) or entry
            exact.setdefault(base, set()).add(concept)
    return (
        {word: frozenset(names) for word, names in exact.items()},
        {stem: frozenset(names) for stem, names in prefixes.items()},
        max((len(stem) for stem in prefixes), default=0),
    )


@lru_cache(maxsize=131072)
def lemma_concepts(base: str) -> frozenset[str]:
    """The concepts of one lemma (as ``notes.ai.morphology.lemma`` gives it)."""
    exact, prefixes, longest = _tables()
    found = set(exact.get(base, ()))
    for size in range(min(len(base), longest), 2, -1):
        names = prefixes.get(base[:size])
        if names:
            found |= names
    return frozenset(found)


def text_concepts(text: str) -> list[str]:
    """Concepts that show in a text's shape rather than its words (phones, code, sums)."""
    found = []
    text = _URL.sub(" ", text)
    if _PHONE.search(text) or _EMAIL.search(text):
        found.append("people")
    if _CODE.search(text):
        found.append("code")
    if _MONEY.search(text):
        found.append("money")
    return found


@cache
def _domain_table() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for concept, names in DOMAINS.items():
        for name in names.split():
            table.setdefault(name, set()).add(concept)
    for name in VIDEO_DOMAINS:
        table.setdefault(name, set()).add("reading")
    return {name: frozenset(concepts) for name, concepts in table.items()}


def host_of(url: str) -> str:
    """The link's host without ``www.``/``m.`` ("" when it is not a URL)."""
    try:
        host = (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""
    for prefix in ("www.", "m.", "mobile."):
        host = host.removeprefix(prefix)
    return host


def domain_concepts(url: str) -> frozenset[str]:
    """Concepts of a link's site: its host, a parent domain, or host and first path part."""
    host = host_of(url)
    if not host:
        return frozenset()
    table = _domain_table()
    path = urlsplit(url.strip()).path.strip("/").split("/", 1)[0]
    found: set[str] = set(table.get(f"{host}/{path}", ()))
    parts = host.split(".")
    for start in range(len(parts) - 1):
        found |= table.get(".".join(parts[start:]), frozenset())
    return frozenset(found)
