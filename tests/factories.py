"""factory_boy factories shared by every module's tests."""

import factory
from django.contrib.auth import get_user_model

from servicetorg.catalogue import services as catalogue_services
from servicetorg.catalogue.models import Service, ServiceArea
from servicetorg.core.choices import Role, UnitKind
from servicetorg.core.models import Membership, Municipality, Unit
from servicetorg.core.permissions import SYSTEM

# Valid organisation numbers (mod-11 check digit) for generated municipalities.
ORG_NUMBERS = [
    "940192226",
    "964965226",
    "944117784",
    "938801363",
    "964950113",
    "974575396",
    "945578564",
    "964338531",
    "964969590",
    "972417807",
]


def _org_number(n: int) -> str:
    """A valid nine-digit organisation number for sequence number ``n``: each ``n`` searches its own
    block of ten bases (a base whose check digit would be 10 is skipped; stepping into the next
    ``n``'s base gave two municipalities the same number)."""
    if n < len(ORG_NUMBERS):
        return ORG_NUMBERS[n]
    weights = (3, 2, 7, 6, 5, 4, 3, 2)
    base = 80000000 + 10 * n
    while True:
        digits = [int(d) for d in f"{base:08d}"]
        check = 11 - sum(w * d for w, d in zip(weights, digits, strict=True)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return f"{base:08d}{check}"
        base += 1


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("number",)

    name = factory.Sequence(lambda n: f"Testvik {n}")
    number = factory.Sequence(lambda n: f"{9000 + n:04d}")
    organization_number = factory.Sequence(_org_number)


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Enhet {n}")
    slug = factory.Sequence(lambda n: f"enhet-{n}")
    kind = UnitKind.MUNICIPAL
    email = factory.Sequence(lambda n: f"enhet{n}@example.no")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.no")
    password = factory.PostGenerationMethodCall("set_password", "pass-for-tests-1")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    municipality = factory.SubFactory(MunicipalityFactory)
    unit = None
    role = Role.DESK_WORKER


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    """Every municipality starts with the ten default areas; asking for one of their slugs reuses it."""

    class Meta:
        model = ServiceArea
        django_get_or_create = ("municipality", "slug")

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Område {n}")
    slug = factory.Sequence(lambda n: f"omrade-{n}")
    position = factory.Sequence(int)


def make_staff(role: str, municipality: Municipality, unit: Unit | None = None, **user_fields):
    """A user with one role in a municipality (optionally bound to a unit)."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, municipality=municipality, unit=unit, role=role)
    return user


def make_service(
    municipality: Municipality | None = None,
    *,
    area: ServiceArea | None = None,
    unit: Unit | None = None,
    slug: str | None = None,
    name: str = "Barnehageplass",
    summary: str = "Søk om plass i barnehage for barn under skolealder.",
    publish: bool = True,
    promises: list[dict] | None = None,
    user=SYSTEM,
    **description,
) -> Service:
    """A service created through the catalogue's own services (published unless ``publish=False``).

    By default it carries a reply promise of 2 working days with a NOK 500 guarantee, and a decision
    promise of 4 weeks.
    """
    municipality = municipality or MunicipalityFactory()
    area = area or ServiceAreaFactory(municipality=municipality)
    if slug is None:
        slug = f"tjeneste-{Service.objects.count() + 1}"
    if promises is None:
        promises = [
            {
                "kind": "reply",
                "limit_value": 2,
                "limit_unit": "working_days",
                "guarantee": "Du får 500 kroner om vi ikke svarer i tide.",
                "compensation_amount": "500.00",
            },
            {"kind": "decision", "limit_value": 4, "limit_unit": "weeks"},
        ]
    service = catalogue_services.create_service(
        municipality=municipality,
        area=area,
        slug=slug,
        responsible_unit=unit,
        ladder_level=description.pop("ladder_level", 4),
        channels=description.pop("channels", ["web_form", "phone", "counter"]),
        description={"name": name, "summary": summary, **description},
        promises=promises,
        user=user,
    )
    if publish:
        catalogue_services.publish(service.versions.get(), user=user)
        service.refresh_from_db()
    return service
