from servicetorg.catalogue.selectors import promise_for, published_services

from ..factories import make_service


def test_published_service_has_reply_promise(municipality):
    service = make_service(municipality, slug="barnehageplass")
    assert service.state == "published"
    assert list(published_services(municipality)) == [service]
    assert promise_for(service, "reply").working_days == 2
    assert promise_for(service, "decision").working_days == 20
