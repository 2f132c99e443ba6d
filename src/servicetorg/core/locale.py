"""The interface language: bokmål until the user chooses another.

Django's LocaleMiddleware follows the browser's Accept-Language, so a browser that prefers English
would get an English shell around Norwegian-only content. Here only the user's own choice (the
language cookie that Django's ``set_language`` view sets) changes it; otherwise ``LANGUAGE_CODE``.
"""

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

#: Machine clients have no language button: the API follows Accept-Language as usual.
API_PREFIX = "/api/"


def chosen_language(request) -> str:
    if request.path_info.startswith(API_PREFIX):
        return translation.get_language_from_request(request)
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if code:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
