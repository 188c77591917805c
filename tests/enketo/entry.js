// Enketo's form engine and its XSLT transformer (browser build), exposed to the test page.
import { Form } from 'enketo-core';
import { transform } from 'enketo-transformer/web';

window.pollwatchEnketo = { Form, transform };
