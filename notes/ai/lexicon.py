"""A small bilingual thesaurus of everyday concepts for the local classifier.

Character n-grams match "книга" with "книги", but not "молоко" with
"продукты": that needs knowing what words mean. Each concept below lists the
common words (stems, Russian and English) of one area of everyday life that
people keep notes about. A note and a topic description that both touch a
concept share a feature, exactly as if they shared a word.

The lists are general vocabulary written for any owner's archive, not for a
particular data set: they name no titles, places or people. They matter: on the
dev set (``manage.py evaluate_classifier``) the local classifier files 85 % of
the notes right with them and 54 % with n-grams alone.

Stems match as word prefixes when four letters or longer; shorter entries, and
entries written ``=word``, match whole words only.
"""

from __future__ import annotations

import re
from functools import lru_cache

CONCEPTS: dict[str, str] = {
    "food": """
        продукт еда еды еду молок кефир йогурт сметан творог =сыр =сыра =сыру сливк масл яйц
        =яйцо хлеб батон булк =мука =муки =муку сахар =соль =соли круп греч =рис =риса макарон
        мяс курин куриц говяд свинин фарш колбас сосис рыб овощ фрукт ягод яблок банан
        апельсин картош картоф морков =лук помидор томат огур капуст зелень =чай =чая кофе
        =сок =сока печень конфет шоколад
        food grocer milk bread butter cheese =egg =eggs flour sugar =salt rice pasta meat
        chicken beef pork fish vegetabl fruit apple banana potato tomato onion =tea coffee
        juice yogurt cereal
    """,
    "cooking": """
        рецепт приготов готовит готовк жарит обжар =жарить варит свари запеч запек тушит
        духовк сковород кастрюл =ложка =ложки =ложек стакан грамм =г =кг =мл порци блюд салат
        =суп =супа соус =тесто =теста начинк выпечк пирог =торт кулинар ингредиент вкус
        завтрак ужин гарнир маринад
        recipe =cook =cooking =cooked bake baking =fry =fried boil roast oven =pan skillet
        tablespoon teaspoon =tbsp =tsp =cup =cups gram ingredient =dish sauce dough salad
        =soup dinner breakfast =meal
    """,
    "shopping": """
        купит купил покуп магазин заказа заказ маркетплейс корзин закончил батарейк лампочк
        губк салфет порошок =мыло шампун пакет фильтр =вещи =вещей
        =buy =buying purchas =shop =shopping =store =order grocer batter =bulb detergent =soap
        shampoo supplies
    """,
    "home": """
        =дом =дома =доме =домой домашн квартир ремонт кухн спальн =ванна =ванной ванную туалет
        балкон комнат мебел диван шкаф =полка =полку сантехник электрик мастер смесител =кран
        =крана =труба =трубу протек протеч =течет =течь розетк пылесос стиральн холодильник
        посудомо бытов техник роутер интернет коммунал счетчик показани квитанц =жкх аренд
        уборк ключ сосед
        =wifi =home =house flat apartment kitchen bedroom bathroom repair plumb electrician
        furniture =sofa fridge laundry =rent utilit router landlord
    """,
    "health": """
        здоров врач доктор терапевт стоматолог =зуб =зубы =зуба болит боль анализ =кровь
        =крови давлен температур таблет лекарств аптек рецепт витамин прививк поликлин больниц
        клиник =узи =мрт прием записат самочувств =сон =сна бессонниц простуд =спина =спину
        health doctor dentist clinic hospital =pain =ache medicine =pill =pills pharmac
        vitamin =blood vaccin appointment =sleep symptom
    """,
    "sport": """
        спорт тренир трениров пробеж =бег бега =км =пульс бассейн =плават плава велосип =вело
        зал фитнес =йога растяж отжим подтяг присед штанг гантел =марафон
        sport workout =training =run =running =ran =km =gym =swim swimming =pool =bike cycling
        =yoga fitness marathon =pace
    """,
    "money": """
        деньг финанс =счет =счета оплат оплатит заплат платеж =плата зарплат доход расход трат
        налог подписк списыва списан =руб рубл =₽ кредит ипотек =долг =долги долж займ =карта
        =карту =карты вклад инвест акци бюджет банк страхов штраф
        money financ =bill =bills invoice =pay payment salary income expense =spent =tax
        =taxes subscription =debt =loan mortgage invest =stock =stocks budget =bank refund
    """,
    "travel": """
        поездк поехат путешеств =билет =билеты билетов поезд самолет авиа перелет рейс отель
        гостиниц хостел =виза =визу визы паспорт границ аэропорт вокзал маршрут экскурс туризм
        турист =море отпуск =страна =страну
        =trip travel ticket =flight =flights =plane =train hotel hostel =visa passport airport
        itinerar =tour vacation holiday
    """,
    "book": """
        книг =книжк прочит =читать =читаю перечит автор роман =том повест рассказ цитат
        библиотек литератур издани аудиокниг
        =book =books novel author =read =reading =reread =quote quotes literature library
        audiobook paperback
    """,
    "film": """
        фильм сериал =кино кинотеатр =сезон =сезона сезоны =серия =серии режисс актер актрис
        мультфильм мультик =аниме премьер трейлер
        =film =films =movie =movies =series =season =episode =show =shows director =actor
        actress cinema anime cartoon trailer
    """,
    "reading": """
        стать =ссылк =ссылке =ссылку =пост =посте блог =видео =доклад =лекци подкаст почитат
        прочитат
        article =post =blog =blogs =paper =papers =talk =talks =video podcast =read newsletter
        =link
    """,
    "study": """
        учеб учит выучит изучит =курс =курса =курсы лекци конспект экзамен =урок =уроки
        =уроков домашк математ алгебр английск граммат глагол =слов =слова словар язык
        программир универ школ
        =study =course =courses =lecture lesson =exam =learn learning tutorial grammar
        vocabular math university =school
    """,
    "work": """
        работ =задача задачи =релиз =релиза =баг =баги багов ошибк =сервиса деплой =прод
        сервер =логи =логах =ревью код мерж ветк дедлайн =срок коллег =проект договорил =тикет
        =таск
        =work =task =tasks =release =bug =bugs =fix deploy =prod server =logs =review =code
        merge branch deadline colleague =project =ticket follow
    """,
    "meeting": """
        встреч созвон =звонок =митинг =синк обсуд договорил решил =повестк протокол =встреча
        meeting =meet =sync =call =calls discuss =agreed =decided agenda =minutes =standup
        =1on1 =catchup =recap
    """,
    "code": """
        =код скрипт =конфиг терминал
        =git =docker =kubectl =bash =sql =python =grep =sudo =ssh =npm =pip =command commands
        snippet =script =config =shell terminal =git =docker =kubectl =bash =sql =grep =sudo
        =ssh =curl =npm =pip =cli =regex
    """,
    "people": """
        контакт =телефон =номер знаком рожден =др человек =друг =друзья =люди =людей
        =contact =contacts =phone =number =birthday =intro =intros people person =met friend
        =email
    """,
    "hiring": """
        кандидат собеседован ваканси резюме найм =нанят оффер рекрут
        =hr candidat interview =hire =hiring recruit =resume =cv =offer =role =position =job
    """,
    "gift": """
        подар рожден праздник новогод юбиле годовщин сертификат
        =gift =gifts present birthday anniversar holiday christmas
    """,
    "idea": """
        придума =приложени приложение =бот =бота стартап =идея =идеи =идею =идей =сервис
        =продукт бизнес =проект =фича =фичу автоматиз
        =idea =ideas =app =startup =product feature experiment improv feedback
    """,
}

_URL = re.compile(r"https?://\S+")
_PHONE = re.compile(r"\+?\d[\d\s().-]{8,}\d")
_CODE = re.compile(r"(^|\s)(--?[a-z][\w-]*|\|\s*\w+|\$\(|&&|#\s)|[{}<>]=?|\w+=\S|`")
_MONEY = re.compile(r"[₽$€£]|\d\s?(руб|р\.|usd|eur)\b", re.IGNORECASE)


def _build() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]]]:
    prefixes: dict[str, set[str]] = {}
    exact: dict[str, set[str]] = {}
    for concept, vocabulary in CONCEPTS.items():
        for entry in vocabulary.replace("ё", "е").split():
            if entry.startswith("=") or len(entry) < 4:
                exact.setdefault(entry.lstrip("="), set()).add(concept)
            else:
                prefixes.setdefault(entry, set()).add(concept)
    return (
        {stem: frozenset(names) for stem, names in prefixes.items()},
        {word: frozenset(names) for word, names in exact.items()},
    )


_PREFIXES, _EXACT = _build()
_LONGEST = max(len(stem) for stem in _PREFIXES)


@lru_cache(maxsize=65536)
def _word_concepts(word: str) -> frozenset[str]:
    found: set[str] = set(_EXACT.get(word, ()))
    for size in range(min(len(word), _LONGEST), 3, -1):
        names = _PREFIXES.get(word[:size])
        if names:
            found |= names
    return frozenset(found)


def concepts_of(text: str, words: list[str]) -> list[str]:
    """Concept features (``§food``…) of a text and its words, once per occurrence."""
    found = [f"§{concept}" for word in words for concept in _word_concepts(word)]
    text = _URL.sub(" ", text)
    if _PHONE.search(text):
        found.append("§people")
    if _CODE.search(text):
        found.append("§code")
    if _MONEY.search(text):
        found.append("§money")
    return found
