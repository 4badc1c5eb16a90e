from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "thuocdo.accounts"
    label = "accounts"
    verbose_name = "Tài khoản"
