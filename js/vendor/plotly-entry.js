// The plotly.js the Monitor's live chart loads: plotly's core (src/core.js) cut down to what
// js/live_chart.js draws. Scatter lines on date axes, with shapes (threshold bands, cell
// markers), annotations (marker labels), a legend and unified hover. The modebar is registered
// because layout defaults read it, even with displayModeBar false. Built by
// tools/build_plotly.sh; see js/vendor/README.md for why.
'use strict';

var Registry = require('plotly.js/src/registry');
var plotApi = require('plotly.js/src/plot_api');
var Plots = require('plotly.js/src/plots/plots');

exports.version = require('plotly.js/src/version').version;
require('plotly.js/build/plotcss');

Object.keys(plotApi).forEach(function(name) {
    if(name.charAt(0) !== '_') exports[name] = plotApi[name];
    Registry.register({moduleType: 'apiMethod', name: name, fn: plotApi[name]});
});
Registry.register(require('plotly.js/src/traces/scatter'));
Registry.register([
    require('plotly.js/src/components/annotations'),
    require('plotly.js/src/components/shapes'),
    require('plotly.js/src/components/colorscale'),
    require('plotly.js/src/components/legend'), // after shapes: legend defaults read them
    require('plotly.js/src/components/fx'), // after legend: unified hover reads it
    require('plotly.js/src/components/modebar')
]);
Registry.register([require('plotly.js/src/locale-en'), require('plotly.js/src/locale-en-us')]);

exports.Plots = {resize: Plots.resize};
