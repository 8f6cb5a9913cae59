// placeholder: written in issue 3/4/6
