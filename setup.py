"""Ships the top-level clinical content (``protocol/``, ``rules/``) inside the package.

Why a setup.py: the design card keeps protocol definitions and rules at the top
level of the repository, where clinicians review them; an installed package
still needs them. setuptools' package-dir mapping installs them as
``hccprotocol.data.protocol`` and ``hccprotocol.data.rules`` (editable installs
map them to the same top-level folders), and pyproject.toml cannot add mapped
packages to a ``find`` result, so the package list is computed here.
"""

from setuptools import find_packages, setup

CONTENT = {"hccprotocol.data.protocol": "protocol", "hccprotocol.data.rules": "rules"}

setup(
    packages=[*find_packages("src"), *CONTENT],
    package_dir={"": "src", **CONTENT},
    package_data={
        "hccprotocol": ["py.typed"],
        "hccprotocol.data": ["*.json", "*.yaml", "*.md"],
        "hccprotocol.data.protocol": ["*.yaml", "*.md"],
        "hccprotocol.data.rules": ["*.yaml", "*.md"],
        "hccprotocol.render": ["templates/*"],
    },
)
