from django.contrib.auth import views as auth_views
from django.urls import path

from pollwatch.accounts import views

urlpatterns = [
    path("login/", views.PasswordLoginView.as_view(), name="login"),
    path("login/code/", views.login_code, name="login-code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", views.two_factor_page, name="account-two-factor"),
]
